import { LIMITS } from '../../src/limits';
import type { Api } from './api';
import { checkContext, currentPage, SiteDetails } from './site-details';

describe('site details', () => {
  it('accepts a flat context and drops null and undefined values', () => {
    expect(checkContext({ plan: 'pro', total: 4.5, vip: false, gone: null })).toEqual({
      plan: 'pro',
      total: 4.5,
      vip: false,
    });
  });

  it.each([
    ['an array', [1, 2], /pass an object/],
    ['a key with a space', { 'not ok': 1 }, /not a plain name/],
    ['nesting', { nested: { a: 1 } }, /"nested" must be a string/],
    ['NaN', { n: Number.NaN }, /"n" must be a string/],
    ['over 4 KB', { big: 'x'.repeat(LIMITS.contextMaxBytes) }, /at most 4096 bytes/],
  ])('refuses %s', (_, value, message) => {
    expect(() => checkContext(value)).toThrow(message);
  });

  it('sends the page as the server accepts it, never failing a start for it', () => {
    expect(currentPage('https://a.example/x?y=1', ' Shop\n  cart ')).toEqual({
      url: 'https://a.example/x?y=1',
      title: 'Shop cart',
    });
    const long = `https://a.example/p?q=${'x'.repeat(3000)}`;
    expect(currentPage(long, '')).toEqual({ url: 'https://a.example/p' });
    expect(currentPage('file:///home/a.html', 'A')).toBeUndefined();
    expect(currentPage('https://a.example/', 't'.repeat(300))?.title).toHaveLength(200);
  });

  it('adds context, page and locale to every start; no page with sendPage false', async () => {
    const sent: unknown[] = [];
    const api = {
      startChat: (body: unknown) => {
        sent.push(body);
        return Promise.reject(new Error('stop'));
      },
    } as unknown as Api;
    const page = () => ({ url: 'https://a.example/' });
    const on = new SiteDetails({ sendPage: true, locale: 'es', page });
    on.setContext({ plan: 'pro' });
    await on
      .wrap(api)
      .startChat({ preEngagement: {} })
      .catch(() => undefined);
    const off = new SiteDetails({ sendPage: false, locale: 'en', page });
    await off
      .wrap(api)
      .startChat({ preEngagement: {} })
      .catch(() => undefined);
    expect(sent).toEqual([
      {
        preEngagement: {},
        context: { plan: 'pro' },
        page: { url: 'https://a.example/' },
        locale: 'es',
      },
      { preEngagement: {}, locale: 'en' },
    ]);
  });
});
