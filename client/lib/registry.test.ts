/**
 * The registry in webchat.js: what lazily loaded bundles hand over reaches
 * webchat-ui.js whether it came before or after webchat-ui.js started, and
 * the latest registration wins.
 */
import type { ChatClientFactory } from './chat-client';
import type { Formatter } from './markdown-host';
import { Registry } from './registry';

const sdk = (() => {
  throw new Error('not used');
}) as unknown as ChatClientFactory;
const formatter: Formatter = { agent: (text) => [text], plain: (text) => [text] };

describe('Registry', () => {
  it('keeps what came before anyone follows, and hands it over when they do', () => {
    const registry = new Registry();
    registry.put('sdk', sdk);
    expect(registry.get('sdk')).toBe(sdk);
    const heard: unknown[] = [];
    registry.follow({ sdk: (value) => heard.push(value) });
    expect(heard).toEqual([sdk]);
  });

  it('hands over what comes after, each to its own follower only', () => {
    const registry = new Registry();
    const sdks: unknown[] = [];
    const formatters: unknown[] = [];
    registry.follow({ sdk: (v) => sdks.push(v), formatter: (v) => formatters.push(v) });
    expect(sdks).toEqual([]);
    registry.put('formatter', formatter);
    expect(formatters).toEqual([formatter]);
    expect(sdks).toEqual([]);
    registry.put('solver', () => Promise.resolve({ counter: 1, derivedKey: 'x' }));
    expect(registry.get('solver')).toBeDefined(); // kept, though nobody follows it
  });

  it('nothing registered: nothing handed over, get is undefined', () => {
    const registry = new Registry();
    const heard: unknown[] = [];
    registry.follow({ sdk: (v) => heard.push(v) });
    expect(heard).toEqual([]);
    expect(registry.get('ui')).toBeUndefined();
  });
});
