import { optionsFromDataset, parseFieldList, resolveConfig } from './config';

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
          text: '#123',
          'bad name': 'red',
        },
      },
      SCRIPT,
      [],
    );
    expect(config.colors).toEqual({ text: '#123' });
  });
});
