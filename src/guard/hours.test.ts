import { OutsideHoursError } from '../errors';
import { checkHours, hoursAt, parseOpeningHours, type HoursState } from './hours';
import { HoursFormatError } from './hours-format';
import { instantOf, wallTime } from './zone-time';

// Every clock here is fixed: an instant in UTC, written out, never Date.now().
// The suite runs with TZ=America/Los_Angeles (jest.config.js), so a slip into
// the server's zone shows in every zone below.
const at = (iso: string): number => Date.parse(iso);
const iso = (state: HoursState) => ({
  open: state.open,
  ...(state.closesAt !== undefined && { closesAt: new Date(state.closesAt).toISOString() }),
  ...(state.opensAt !== undefined && { opensAt: new Date(state.opensAt).toISOString() }),
});
const stateAt = (text: string, when: string) => iso(hoursAt(parseOpeningHours(text), at(when)));

const madrid = 'Europe/Madrid; Mon-Fri 09:00-18:00; Sat 10:00-14:00';

describe('hoursAt, Europe/Madrid', () => {
  it('is open on a summer weekday (CEST, UTC+2) until 18:00 local', () => {
    expect(stateAt(madrid, '2026-07-01T07:00:00Z')).toEqual({
      open: true,
      closesAt: '2026-07-01T16:00:00.000Z',
    });
  });

  it('is closed a millisecond before opening and exactly at closing', () => {
    expect(stateAt(madrid, '2026-07-01T06:59:59.999Z')).toEqual({
      open: false,
      opensAt: '2026-07-01T07:00:00.000Z',
    });
    expect(stateAt(madrid, '2026-07-01T16:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-07-02T07:00:00.000Z',
    });
  });

  it('opens on Monday in summer time after the spring-forward weekend (29 March 2026)', () => {
    // Friday closed at 18:00 CET (17:00Z); Saturday 10:00-14:00 CET; Monday 09:00 CEST.
    expect(stateAt(madrid, '2026-03-27T17:00:00Z').opensAt).toBe('2026-03-28T09:00:00.000Z');
    expect(stateAt(madrid, '2026-03-28T13:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-03-30T07:00:00.000Z',
    });
  });

  it('opens on Monday in winter time after the fall-back weekend (25 October 2026)', () => {
    expect(stateAt(madrid, '2026-10-24T12:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-10-26T08:00:00.000Z',
    });
  });

  it('moves a start inside the spring-forward gap forward by the gap (02:30 -> 03:30 CEST)', () => {
    expect(stateAt('Europe/Madrid; Sun 02:30-05:00', '2026-03-29T00:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-03-29T01:30:00.000Z',
    });
    // 03:10 CEST is after the (moved) start and before 05:00: open.
    expect(stateAt('Europe/Madrid; Sun 02:30-05:00', '2026-03-29T01:10:00Z')).toEqual({
      open: true,
      closesAt: '2026-03-29T03:00:00.000Z',
    });
  });

  it('takes the first of a time that happens twice at fall back (02:30 CEST, not CET)', () => {
    expect(stateAt('Europe/Madrid; Sun 02:30-05:00', '2026-10-24T22:00:00Z').opensAt).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('hoursAt, America zones', () => {
  const sundays = 'America/New_York; Sun 00:00-24:00';

  it('a whole Sunday is 23 hours on the spring-forward day (8 March 2026)', () => {
    expect(stateAt(sundays, '2026-03-08T04:59:59Z').opensAt).toBe('2026-03-08T05:00:00.000Z');
    expect(stateAt(sundays, '2026-03-08T05:00:00Z').closesAt).toBe('2026-03-09T04:00:00.000Z');
  });

  it('a whole Sunday is 25 hours on the fall-back day (1 November 2026)', () => {
    expect(stateAt(sundays, '2026-11-01T04:00:00Z').closesAt).toBe('2026-11-02T05:00:00.000Z');
    // 01:30 the second time (EST, 06:30Z) is still Sunday: open.
    expect(stateAt(sundays, '2026-11-01T06:30:00Z').open).toBe(true);
  });

  it('keeps business hours at 09:00 local across the US change, a week before Europe', () => {
    const text = 'America/Los_Angeles; Mon-Fri 09:00-17:00';
    expect(stateAt(text, '2026-03-07T02:00:00Z').opensAt).toBe('2026-03-09T16:00:00.000Z');
    expect(stateAt(text, '2026-03-06T16:59:00Z').open).toBe(false); // 08:59 PST
    expect(stateAt(text, '2026-03-06T17:00:00Z').open).toBe(true); // 09:00 PST
  });
});

describe('hoursAt, zones far from the server', () => {
  it('Pacific/Auckland: open on Monday morning there while it is Sunday in UTC', () => {
    expect(stateAt('Pacific/Auckland; Mon-Fri 09:00-17:00', '2026-07-05T21:00:00Z')).toEqual({
      open: true, // Monday 09:00 NZST (UTC+12)
      closesAt: '2026-07-06T05:00:00.000Z',
    });
  });

  it('Asia/Kolkata: a half-hour offset', () => {
    expect(stateAt('Asia/Kolkata; Mon-Sat 10:00-19:00', '2026-07-04T13:30:00Z')).toEqual({
      open: false, // Saturday 19:00 IST
      opensAt: '2026-07-06T04:30:00.000Z',
    });
  });

  it('Pacific/Kiritimati (UTC+14): the local date is a day ahead of UTC', () => {
    expect(stateAt('Pacific/Kiritimati; Mon 00:00-01:00', '2026-07-05T10:30:00Z').open).toBe(true);
  });
});

describe('closed dates and ranges ending at 24:00', () => {
  it('skips closed dates: Christmas (Friday) and a range to the next week', () => {
    const text = `${madrid}; closed 2026-12-25, 2026-12-26..2026-12-29`;
    expect(stateAt(text, '2026-12-24T17:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-12-30T08:00:00.000Z',
    });
  });

  it('a closed date cuts an opening that runs through midnight', () => {
    const nights = 'UTC; Fri 22:00-24:00; Sat 00:00-02:00';
    expect(stateAt(nights, '2026-07-03T23:00:00Z').closesAt).toBe('2026-07-04T02:00:00.000Z');
    expect(stateAt(`${nights}; closed 2026-07-04`, '2026-07-03T23:00:00Z').closesAt).toBe(
      '2026-07-04T00:00:00.000Z',
    );
  });

  it('open around the clock has no closing time, unless a date is closed', () => {
    expect(stateAt('UTC; Mon-Sun 00:00-24:00', '2026-07-01T12:00:00Z')).toEqual({ open: true });
    expect(
      stateAt('Europe/Madrid; Mon-Sun 00:00-24:00; closed 2026-08-15', '2026-07-01T12:00:00Z'),
    ).toEqual({
      open: true,
      closesAt: '2026-08-14T22:00:00.000Z',
    });
  });

  it('lunch breaks, wrapping day ranges and merged overlaps', () => {
    const text = 'UTC; Sat-Mon 09:00-13:00, 15:00-18:00; Sun 12:00-16:00';
    expect(stateAt(text, '2026-07-04T14:00:00Z').opensAt).toBe('2026-07-04T15:00:00.000Z'); // Sat
    expect(stateAt(text, '2026-07-05T14:00:00Z').closesAt).toBe('2026-07-05T18:00:00.000Z'); // Sun
    expect(stateAt(text, '2026-07-06T20:00:00Z').opensAt).toBe('2026-07-11T09:00:00.000Z'); // Mon -> Sat
  });

  it('has no next opening when every day for over a year is closed', () => {
    const text = 'UTC; Mon 09:00-10:00; closed 2026-01-01..2026-12-31, 2027-01-01..2027-12-31';
    expect(stateAt(text, '2026-03-01T00:00:00Z')).toEqual({ open: false });
  });
});

describe('parseOpeningHours', () => {
  it('reads the documented example, spelling and spacing forgiven', () => {
    const hours = parseOpeningHours(
      ' europe/madrid ;mon-FRI 09:00-13:00,15:00 - 18:00;  closed 2026-12-24..2026-12-26, 2027-01-01; ',
    );
    expect(hours.timeZone).toBe('Europe/Madrid');
    expect(hours.week[0]).toEqual([
      [540, 780],
      [900, 1080],
    ]);
    expect(hours.week[5]).toEqual([]);
    expect(hours.closedDays.size).toBe(4);
  });

  it.each([
    ['', /must start with an IANA time zone/],
    ['Madrid; Mon 09:00-10:00', /must start with an IANA time zone/],
    ['Europe/Madrid', /names no opening times/],
    ['Europe/Madrid; Mon-Fry 09:00-18:00', /^part 2 .* has a day/],
    ['Europe/Madrid; Mon 09:00-18:00; Tue 9-18', /^part 3 .* not HH:MM-HH:MM/],
    ['UTC; Mon 18:00-09:00', /ends before it starts: write one past midnight as two/],
    ['UTC; Mon 09:00-24:30', /not HH:MM-HH:MM from 00:00 to 24:00/],
    ['UTC; Mon 24:00-24:00', /not HH:MM-HH:MM/],
    ['UTC; Mon09:00-18:00', /must be days then times/],
    ['UTC; Mon 09:00-18:00; closed 2026-02-30', /not real dates/],
    ['UTC; Mon 09:00-18:00; closed 2026-12-31..2026-01-01', /ends before it starts/],
    ['UTC; Mon 09:00-18:00; closed 2026-01-01..', /not real dates/],
  ])('refuses %j: %s', (text, expected) => {
    expect(() => parseOpeningHours(text)).toThrow(HoursFormatError);
    expect(() => parseOpeningHours(text)).toThrow(expected);
  });

  it('never echoes the value in its problems', () => {
    expect(() => parseOpeningHours('UTC; Mon-Fry 09:00-18:00')).toThrow(/^(?!.*Fry)/);
  });
});

describe('zone-time', () => {
  it('round-trips every quarter hour of a DST change day', () => {
    for (const zone of ['Europe/Madrid', 'America/New_York', 'Australia/Lord_Howe']) {
      const { day } = wallTime(zone, at('2026-10-04T12:00:00Z'));
      for (let minute = 0; minute < 1440; minute += 15) {
        const instant = instantOf(zone, day, minute);
        const wall = wallTime(zone, instant);
        // A time in a gap lands later the same day; everything else exactly.
        expect(wall.day).toBe(day);
        expect(wall.ms).toBeGreaterThanOrEqual(minute * 60_000);
      }
    }
  });
});

describe('checkHours', () => {
  const schedule = parseOpeningHours(madrid);
  const sunday = at('2026-07-05T12:00:00Z');

  it('always open without a schedule, and open within hours', () => {
    expect(checkHours({ schedule: undefined, afterHours: 'closed' }, sunday)).toEqual({
      afterHours: false,
    });
    expect(checkHours({ schedule, afterHours: 'closed' }, at('2026-07-06T08:00:00Z'))).toEqual({
      afterHours: false,
    });
  });

  it('refuses outside hours (closed, hide), naming the next opening', () => {
    for (const afterHours of ['closed', 'hide'] as const) {
      expect(() => checkHours({ schedule, afterHours }, sunday)).toThrow(OutsideHoursError);
      expect(() => checkHours({ schedule, afterHours }, sunday)).toThrow(
        'We are closed: chats can be started again from 2026-07-06T07:00:00.000Z (opening hours in Europe/Madrid).',
      );
    }
  });

  it('lets a message through after hours, marked', () => {
    expect(checkHours({ schedule, afterHours: 'message' }, sunday)).toEqual({ afterHours: true });
  });
});
