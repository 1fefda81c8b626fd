import { fetchAvailability, hoursMode, hoursText, type Availability } from './availability';
import { translator } from './i18n';

// The suite runs with TZ=America/Los_Angeles (jest.config.js): the
// customer's zone here. Every clock is fixed.
const NOW = Date.parse('2030-01-07T18:00:00Z'); // Monday 10:00 in Los Angeles
const en = translator('en');
const es = translator('es');

const closed = (opensAt: string, extra: Partial<Availability> = {}): Availability => ({
  open: false,
  timeZone: 'America/Los_Angeles',
  closesAt: null,
  opensAt,
  afterHours: 'closed',
  live: null,
  ...extra,
});
const open = (closesAt: string | null, extra: Partial<Availability> = {}): Availability => ({
  ...closed('', extra),
  open: true,
  closesAt,
  opensAt: null,
  ...extra,
});

describe('hoursText', () => {
  it('says when it opens again: today, tomorrow, a weekday, a date', () => {
    const text = (opensAt: string) => hoursText(closed(opensAt), en, 'en-GB', NOW);
    expect(text('2030-01-07T20:30:00Z')).toBe("We're closed; back at 12:30.");
    expect(text('2030-01-08T17:00:00Z')).toBe("We're closed; back tomorrow at 9:00.");
    expect(text('2030-01-11T17:00:00Z')).toBe("We're closed; back Friday at 9:00.");
    expect(text('2030-01-21T17:00:00Z')).toBe("We're closed; back on 21 January at 9:00.");
  });

  it("labels the time with the customer's zone when the schedule's zone reads another", () => {
    const madrid = closed('2030-01-08T08:00:00Z', { timeZone: 'Europe/Madrid' });
    expect(hoursText(madrid, en, 'en-US', NOW)).toBe(
      "We're closed; back tomorrow at 12:00 AM PST.",
    );
  });

  it('offers to leave a message with AFTER_HOURS=message; no time when none is known', () => {
    const message = closed('2030-01-08T17:00:00Z', { afterHours: 'message' });
    expect(hoursText(message, en, 'en-US', NOW)).toBe(
      "We're closed; back tomorrow at 9:00 AM. Leave a message and we'll answer when we're back.",
    );
    expect(hoursText(closed('', { opensAt: null }), en, 'en', NOW)).toBe("We're closed right now.");
  });

  it('says until when it is open, and the live figures honestly', () => {
    expect(hoursText(open('2030-01-08T02:00:00Z'), en, 'en-GB', NOW)).toBe(
      "We're open until 18:00.",
    );
    expect(hoursText(open('2030-01-08T10:00:00Z'), en, 'en-GB', NOW)).toBe(
      "We're open until tomorrow at 2:00.",
    );
    const waiting = { availableAgents: 0, waitingChats: 3, longestWaitSeconds: 290 };
    expect(hoursText(open(null, { live: waiting }), en, 'en', NOW)).toBe(
      'Right now customers are waiting up to about 5 min.',
    );
    const free = { availableAgents: 2, waitingChats: 0, longestWaitSeconds: 0 };
    expect(hoursText(open(null, { live: free }), en, 'en', NOW)).toBe('An agent is available now.');
    expect(hoursText(open(null), en, 'en', NOW)).toBe('');
  });

  it('in Spanish', () => {
    expect(hoursText(closed('2030-01-11T17:00:00Z'), es, 'es-ES', NOW)).toBe(
      'Estamos cerrados; volvemos el viernes a las 9:00.',
    );
    expect(hoursText(open('2030-01-08T02:00:00Z'), es, 'es-ES', NOW)).toBe(
      'Estamos abiertos hasta las 18:00.',
    );
  });
});

describe('hoursMode', () => {
  it('follows AFTER_HOURS while closed, before a chat only', () => {
    const answer = closed('2030-01-08T17:00:00Z', { afterHours: 'hide' });
    expect(hoursMode(answer, 'form')).toBe('hide');
    expect(hoursMode(answer, 'chat')).toBe('open');
    expect(hoursMode(open(null), 'form')).toBe('open');
    expect(hoursMode(undefined, 'form')).toBe('open');
  });
});

describe('fetchAvailability', () => {
  const answer = open(null);
  const reply = (status: number, body: unknown) =>
    Promise.resolve(new Response(JSON.stringify(body), { status }));

  it('GETs the answer, without credentials', async () => {
    const fetchImpl = jest.fn(() => reply(200, answer));
    expect(await fetchAvailability('https://x.twil.io/availability', fetchImpl)).toEqual(answer);
    expect(fetchImpl).toHaveBeenCalledWith(
      'https://x.twil.io/availability',
      expect.objectContaining({ credentials: 'omit' }),
    );
  });

  it('is undefined (the widget acts as open) on an error, a bad body or no network', async () => {
    expect(await fetchAvailability('u', () => reply(503, { error: {} }))).toBeUndefined();
    expect(await fetchAvailability('u', () => reply(200, { nope: 1 }))).toBeUndefined();
    expect(
      await fetchAvailability('u', () => Promise.reject(new TypeError('offline'))),
    ).toBeUndefined();
  });
});
