import { mergeOptions, optionsFromDataset, parseFieldList, resolveConfig } from './config';

const SCRIPT = 'https://example-1234.twil.io/webchat.js';

describe('widget configuration', () => {
  it('reads data attributes', () => {
    expect(
      optionsFromDataset({
        title: 'Help',
        locale: 'es',
        colorPrimary: '#0b5cff',
        colorOnPrimary: '#fff',
        fields: 'friendlyName:required,email,orderNumber',
        prefillFriendlyName: 'Ana',
        prefillEmail: 'ana@example.com',
        open: 'true',
        position: 'left',
        preloadSdk: 'start',
        persist: 'browser',
      }),
    ).toEqual({
      title: 'Help',
      locale: 'es',
      colors: { primary: '#0b5cff', 'on-primary': '#fff' },
      fields: [
        { name: 'friendlyName', type: 'text', required: true },
        { name: 'email', type: 'email', required: false },
        { name: 'orderNumber', type: 'text', required: false },
      ],
      prefill: { friendlyName: 'Ana', email: 'ana@example.com' },
      open: true,
      position: 'left',
      preloadSdk: 'start',
      persist: 'browser',
    });
  });

  it('fetches the SDK on intent unless told idle or start; ignores anything else', () => {
    expect(resolveConfig({}, SCRIPT, []).preloadSdk).toBe('intent');
    for (const value of ['intent', 'idle', 'start'])
      expect(optionsFromDataset({ preloadSdk: value }).preloadSdk).toBe(value);
    expect(optionsFromDataset({ preloadSdk: 'eager' }).preloadSdk).toBeUndefined();
  });

  it('remembers a chat in the tab unless told the browser', () => {
    expect(resolveConfig({}, SCRIPT, []).persist).toBe('tab');
    expect(resolveConfig({ persist: 'browser' }, SCRIPT, []).persist).toBe('browser');
    expect(optionsFromDataset({ persist: 'forever' }).persist).toBeUndefined();
    expect(resolveConfig({}, SCRIPT, []).availability).toBe('open');
    expect(
      resolveConfig(optionsFromDataset({ availability: 'load' }), SCRIPT, []).availability,
    ).toBe('load');
    expect(optionsFromDataset({ availability: 'always' }).availability).toBeUndefined();
  });

  it('turns each unread alert on only when asked (data-notify-title, -sound, -browser)', () => {
    const off = resolveConfig({}, SCRIPT, []);
    expect([off.notifyTitle, off.notifySound, off.notifyBrowser]).toEqual([false, false, false]);
    const on = resolveConfig(
      optionsFromDataset({ notifyTitle: '', notifySound: 'true', notifyBrowser: 'false' }),
      SCRIPT,
      [],
    );
    expect([on.notifyTitle, on.notifySound, on.notifyBrowser]).toEqual([true, true, false]);
  });

  it('greets only when asked: data-greeting (text) and data-greeting-after (seconds)', () => {
    expect(resolveConfig({}, SCRIPT, []).greeting).toBeUndefined();
    const greeting = (dataset: Record<string, string>) =>
      resolveConfig(optionsFromDataset(dataset), SCRIPT, []).greeting;
    expect(greeting({ greeting: 'Need help?', greetingAfter: '12' })).toEqual({
      text: 'Need help?',
      afterSeconds: 12,
    });
    expect(greeting({ greeting: '' })).toEqual({ afterSeconds: 5 });
    expect(greeting({ greetingAfter: 'soon' })).toEqual({ afterSeconds: 5 });
  });

  it('names agents in full unless told first or role (data-agent-name, -role-label)', () => {
    const resolved = (dataset: Record<string, string>) =>
      resolveConfig(optionsFromDataset(dataset), SCRIPT, []);
    expect(resolved({}).agentName).toBe('full');
    expect(resolved({ agentName: 'nickname' }).agentName).toBe('full');
    const role = resolved({ agentName: 'role', agentRoleLabel: ' Support ' });
    expect([role.agentName, role.agentRoleLabel]).toEqual(['role', 'Support']);
    expect(resolved({ agentName: 'first' }).agentRoleLabel).toBeUndefined();
  });

  it('merges a global config with the script tag, key by key for colors, prefill, strings', () => {
    expect(
      mergeOptions(
        { title: 'Global', colors: { primary: '#111', text: '#222' }, strings: { send: 'Go' } },
        undefined,
        { title: 'Tag', colors: { primary: '#333' }, prefill: { email: 'a@b.example' } },
      ),
    ).toEqual({
      title: 'Tag',
      colors: { primary: '#333', text: '#222' },
      strings: { send: 'Go' },
      prefill: { email: 'a@b.example' },
    });
  });

  it('turns the form off, and drops field names the server would refuse', () => {
    expect(parseFieldList('off')).toBe(false);
    expect(parseFieldList('friendlyName, bad name!, __proto__,question')).toEqual([
      { name: 'friendlyName', type: 'text', required: false },
      { name: 'question', type: 'textarea', required: false },
    ]);
  });

  it('finds the functions next to webchat.js, and the locale from the browser', () => {
    const config = resolveConfig({}, SCRIPT, ['es-MX', 'en']);
    expect(config.startChatUrl).toBe('https://example-1234.twil.io/start-chat');
    expect(config.sdkUrl).toBe('https://example-1234.twil.io/webchat-sdk.js');
    expect(config.locale).toBe('es');
    expect(resolveConfig({ locale: 'fr' }, SCRIPT, ['de']).locale).toBe('en');
  });

  it('refuses colour values that could escape a CSS declaration', () => {
    const config = resolveConfig(
      {
        colors: {
          primary: 'red;background:url(https://evil.example)',
          'on-primary': 'var(--x)\\;',
          text: '#123',
          radius: '8px',
          'bad name': 'red',
        },
      },
      SCRIPT,
      [],
    );
    expect(config.colors).toEqual({ text: '#123', radius: '8px' });
  });
});
