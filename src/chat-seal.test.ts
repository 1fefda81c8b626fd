/**
 * The chat seal (chat-seal.ts): made at the start, verified by /transcript and
 * /survey for the token's identity, broken by any edit, and never larger than
 * the room the form check keeps for it.
 */
import { TEST_ENV } from '../dev/twilio-fake/env';
import { conversationAttributes, preEngagementData } from './chat-attributes';
import { chatSeal, firstEmail, SEAL_KEY, sealBytes, verifiedSeal } from './chat-seal';
import { LIMITS } from './limits';

const SECRET = TEST_ENV.API_SECRET;
const ANA = 'web_tph0je_' + 'a'.repeat(32);
const START = ANA;
const seal = chatSeal(SECRET, ANA, START, 'ana@example.com');

describe('chat seal', () => {
  it.each([
    ['at the top (studio, webhook)', { [SEAL_KEY]: seal }],
    [
      'in the pre-engagement data (address, flex-flow)',
      { pre_engagement_data: { [SEAL_KEY]: seal } },
    ],
  ])('verifies for its identity, %s, after a JSON round trip', (_, attributes) => {
    const stored = JSON.parse(JSON.stringify(attributes)) as Record<string, unknown>;
    expect(verifiedSeal(SECRET, ANA, stored)).toEqual({ start: START, email: 'ana@example.com' });
  });

  it.each([
    ['none (a chat from before the seal)', {}],
    ['another identity', { [SEAL_KEY]: chatSeal(SECRET, 'web_x_' + 'b'.repeat(32), START, null) }],
    ['another API_SECRET', { [SEAL_KEY]: chatSeal('y'.repeat(32), ANA, START, 'ana@example.com') }],
    ['the address changed', { [SEAL_KEY]: { ...seal, email: 'victim@example.org' } }],
    ['the address removed', { [SEAL_KEY]: { ...seal, email: null } }],
    ['the start changed', { [SEAL_KEY]: { ...seal, start: 'web_other' } }],
    ['a malformed mac', { [SEAL_KEY]: { ...seal, mac: 'v1.abc' } }],
    ['a mac with a stray character', { [SEAL_KEY]: { ...seal, mac: `${seal.mac}!` } }],
    ['not an object', { [SEAL_KEY]: 'sealed' }],
    ['null', { [SEAL_KEY]: null }],
  ])('refuses %s', (_, attributes) => {
    expect(verifiedSeal(SECRET, ANA, attributes)).toBeUndefined();
  });

  it('the address on record: the first that is one, never control characters', () => {
    expect(firstEmail([undefined, 'ana@example.com', 'b@c.de'])).toBe('ana@example.com');
    expect(firstEmail(['not an address', 42, 'a\u0001@b.co', `${'a'.repeat(250)}@b.co`])).toBe(
      null,
    );
  });

  it('takes no more room than the form check kept for it', () => {
    const email = `${'\u{10000}'.repeat(120)}@b.co`;
    const longest = chatSeal(SECRET, ANA, 'web_' + 'z'.repeat(11) + '_' + 'f'.repeat(32), email);
    const added = Buffer.byteLength(`,"${SEAL_KEY}":${JSON.stringify(longest)}`);
    expect(added).toBeLessThanOrEqual(sealBytes(email));
  });

  it('a form that fits only without its seal is refused before the start', () => {
    const details = { friendlyName: 'Ana', preEngagement: {} };
    const sealed = chatSeal(SECRET, ANA, START, null); // no address in the form
    const bare = Buffer.byteLength(conversationAttributes({ ...details, seal: sealed }));
    const filler = LIMITS.conversationAttributesMaxBytes - bare - 10;
    const form = { ...details, preEngagement: { notes: 'n'.repeat(filler) } };
    expect(() => conversationAttributes(form)).toThrow(/check preEngagement/);
    expect(() => conversationAttributes({ ...form, seal: sealed })).not.toThrow(); // it fits
    expect(() => preEngagementData(form)).not.toThrow(); // the smaller 16 KB there
  });
});
