import { humanize, LOCALES, pickLocale, translator, unreadLabel } from './i18n';
import { transcriptFilename, transcriptText } from './transcript';

describe('i18n', () => {
  it('translates every English string into Spanish, with the same placeholders', () => {
    for (const [key, english] of Object.entries(LOCALES.en)) {
      const spanish = LOCALES.es[key as keyof typeof LOCALES.en];
      expect(spanish).toBeTruthy();
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(spanish)).toEqual(placeholders(english));
    }
  });

  it('fills placeholders and plural forms', () => {
    const t = translator('es');
    expect(t('typing', { name: 'Alex' })).toBe('Alex está escribiendo…');
    expect(unreadLabel(translator('en'), 'en', 1)).toBe('1 unread message');
    expect(unreadLabel(translator('en'), 'en', 3)).toBe('3 unread messages');
  });

  it('lets a site override any string', () => {
    expect(translator('en', { title: 'Talk to Acme' })('title')).toBe('Talk to Acme');
  });

  it('picks the configured locale, else the browser language, else English', () => {
    expect(pickLocale('es', ['en-US'])).toBe('es');
    expect(pickLocale(undefined, ['es-419'])).toBe('es');
    expect(pickLocale(undefined, ['ja-JP'])).toBe('en');
  });

  it('makes a label of a field name', () => {
    expect(humanize('orderNumber')).toBe('Order number');
    expect(humanize('customer_id')).toBe('Customer id');
  });
});

describe('transcript', () => {
  it('is plain text, one line per message, files by name', () => {
    const t = translator('en');
    const text = transcriptText(
      [
        { date: new Date(2026, 10, 21, 9, 5), author: 'You', text: 'Hi', files: [] },
        { date: null, author: 'Alex', text: '', files: ['label.png'] },
      ],
      'Chat transcript',
      'en',
      t,
    );
    expect(text).toBe(
      'Chat transcript\n\n[Nov 21, 2026, 9:05 AM] You: Hi\nAlex: File: label.png\n',
    );
    expect(transcriptFilename(new Date(2026, 10, 21, 10))).toBe('chat-2026-11-21.txt');
    // The customer's calendar, not UTC's: the first minute and the last of
    // a local day (jest.config.js runs the tests west of UTC, so one of these
    // falls on another day in UTC wherever the suite runs).
    expect(transcriptFilename(new Date(2026, 0, 5, 0, 1))).toBe('chat-2026-01-05.txt');
    expect(transcriptFilename(new Date(2026, 0, 5, 23, 59))).toBe('chat-2026-01-05.txt');
  });
});
