/**
 * What a start's attributes carry beside the rest: this service's seal of the
 * chat (src/chat-seal.ts), with the address on record (null: none).
 *
 * @example
 *   expect(attributes).toEqual({ from: 'Ana', ..., webchat_seal: sealed('ana@example.com') });
 */
export const sealed = (email: string | null = null): unknown => ({
  start: expect.stringMatching(/^web_/) as unknown,
  email,
  mac: expect.stringMatching(/^v1\.[A-Za-z0-9_-]{43}$/) as unknown,
});
