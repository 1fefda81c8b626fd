/**
 * Property-based: thousands of random requests at both public functions.
 * Whatever arrives, the answer is a JSON 200 or a JSON 4xx with the one error
 * shape; never a 500, never a stack trace, and never a Twilio call unless the
 * request was valid. The /start-chat property is about its input, so it runs
 * with CHALLENGE=off; random proofs have a property of their own.
 */
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { handler as endChat } from '../../functions/end-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as refresh } from '../../functions/refresh-token';
import { handler as startChat } from '../../functions/start-chat';
import { newIdentity } from '../../src/identity';
import { parseStartChatRequest } from '../../src/requests';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { freshProof, proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { captureLogsPerTest } from '../support/logs';
import { signTestToken } from '../support/tokens';
import { interactions } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV, signedDelivery } from '../../dev/twilio-fake/webhooks';

const mock = TwilioMock.perTest();
captureLogsPerTest(); // keeps the expected error logs out of the output

const STACK = /\bat .+[.:](?:js|ts)\b|Error:|node_modules/;

const fieldName = fc.oneof(
  fc.constantFrom('friendlyName', 'question', 'preEngagement', 'token', 'identity', 'request'),
  fc.constantFrom('__proto__', 'constructor', 'toString', ''),
  fc.string({ maxLength: 12 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.constantFrom('', '   ', '\n', 'Ana\u0000', 'x'.repeat(64), 'x'.repeat(65), 'q'.repeat(1601)),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const preEngagement = fc.oneof(
  fc.dictionary(
    fc.oneof(
      fc.constantFrom('email', 'name', 'a.b', 'bad key', '__proto__', '1st'),
      fc.string({ maxLength: 8 }),
    ),
    fc.oneof(text, fc.double(), fc.boolean(), fc.constant(null), anyJson),
    { maxKeys: 6 },
  ),
  anyJson,
);
/** A caller's own `request` parameter, which replaces the runtime's headers. */
const smuggledRequest = fc.record({
  request: fc.oneof(
    anyJson,
    fc.record({
      headers: fc.dictionary(
        fc.constantFrom('origin', 'content-type', 'x-twilio-signature'),
        fc.oneof(anyJson, fc.constantFrom('https://www.example.com', 'application/json')),
      ),
    }),
  ),
});
/** Bodies near the valid shape, and arbitrary ones. */
const startBody = fc.oneof(
  smuggledRequest,
  fc.record(
    { friendlyName: fc.oneof(text, anyJson), question: fc.oneof(text, anyJson), preEngagement },
    { requiredKeys: [] },
  ),
  fc.dictionary(fieldName, anyJson, { maxKeys: 5 }),
  anyJson,
);
const headers = fc.record({
  'content-type': fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    undefined,
  ),
  origin: fc.constantFrom('https://www.example.com', 'https://evil.example', 'null', undefined),
});

const NO_CHALLENGE = { ...TEST_ENV, CHALLENGE: 'off' };

function isValidStart(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return true; // becomes {}
  // `request` is the runtime's key (whoever set it), never a field.
  const fields = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'request'));
  try {
    parseStartChatRequest(fields);
    return true;
  } catch {
    return false;
  }
}

function expectOneErrorShape(status: number, body: unknown): void {
  if (status === 200) return;
  expect(body).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
  const keys = Object.keys((body as { error: object }).error).sort();
  expect(['code,message', 'code,fields,message']).toContain(keys.join());
}

describe('random requests', () => {
  it('/start-chat: never 500, never a stack, Twilio only for valid input', async () => {
    // Hundreds of valid starts a second, past Twilio's 30 creates a second: this
    // is about input, so the limit is lifted (rates: spikes.test.ts).
    mock.rateLimit('conversations.create', undefined);
    await fc.assert(
      fc.asyncProperty(startBody, headers, async (body, hdrs) => {
        const before = mock.requests().length;
        const res = await invoke(startChat, { mock, env: NO_CHALLENGE, body, headers: hdrs });
        const calls = mock.requests().length - before;

        expect(res.status).not.toBe(500);
        expect([200, 400, 403, 415]).toContain(res.status);
        expect(res.text).not.toMatch(STACK);
        expectOneErrorShape(res.status, res.body);
        if (res.status !== 200) expect(calls).toBe(0);
        if (res.status === 200) {
          expect(isValidStart(body)).toBe(true);
          expect(calls).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('/start-chat: a proof changed anywhere is refused, and writes nothing', async () => {
    const valid = await freshProof();
    const path = fc.constantFrom(
      ['challenge', 'signature'],
      ['challenge', 'parameters', 'nonce'],
      ['challenge', 'parameters', 'salt'],
      ['challenge', 'parameters', 'keyPrefix'],
      ['challenge', 'parameters', 'expiresAt'],
      ['challenge', 'parameters', 'cost'],
      ['challenge', 'parameters', 'algorithm'],
      ['challenge', 'parameters', 'data', 'origin'],
      ['challenge', 'parameters', 'data', 'issuedAt'],
      ['challenge', 'parameters', 'extra'],
      ['solution', 'counter'],
      ['solution', 'derivedKey'],
      ['solution'],
      ['challenge'],
    );
    const changed = fc.tuple(path, anyJson).map(([keys, value]) => {
      const copy = structuredClone(valid) as unknown as Record<string, unknown>;
      let at = copy;
      for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[keys[keys.length - 1] as string] = value;
      return { proof: copy, same: JSON.stringify(copy) === JSON.stringify(valid) };
    });
    await fc.assert(
      fc.asyncProperty(changed, async ({ proof, same }) => {
        fc.pre(!same);
        const res = await invoke(startChat, { mock, body: { proof } });
        expect([400, 403]).toContain(res.status);
        expect(res.text).not.toMatch(STACK);
        expectOneErrorShape(res.status, res.body);
      }),
      { numRuns: 600 },
    );
    expect(mock.requests()).toHaveLength(0);
  });

  it('/refresh-token: never 500, never a stack; a Twilio read only for a token we signed', async () => {
    // A real chat's token, so a valid one renews (its chat is open).
    const started = await invoke(startChat, await proven({ mock, body: {} }));
    const valid = (started.body as { token: string }).token;
    const before = mock.requests().length;
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'AZaz09-_.'.split('')))
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1));
    const token = fc.oneof(
      mutated,
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.')),
      anyJson,
    );
    const body = fc.oneof(
      token.map((t) => ({ token: t })),
      fc.dictionary(fieldName, anyJson, { maxKeys: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(body, headers, async (b, hdrs) => {
        const res = await invoke(refresh, { mock, body: b, headers: hdrs });
        expect(res.status).not.toBe(500);
        expect([200, 400, 401, 403, 415]).toContain(res.status);
        expect(res.text).not.toMatch(STACK);
        expectOneErrorShape(res.status, res.body);
        if (res.status === 200) {
          // Only a token our secret really signed may be renewed.
          const t = (b as { token?: unknown }).token;
          expect(typeof t).toBe('string');
          expect(() =>
            jwt.verify(t as string, TEST_ENV.API_SECRET, { algorithms: ['HS256'] }),
          ).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
    // A valid token's identity is looked up (is its chat open?); nothing else, and no write.
    const made = mock.requests().slice(before);
    expect(new Set(made.map((r) => r.name))).toEqual(
      new Set(made.length ? ['participantConversations.list'] : []),
    );
    expect(mock.writes().filter((r) => made.includes(r))).toEqual([]);
  });

  it('/interaction: never 500, never a stack; unsigned means 403 and no Twilio call', async () => {
    const started = await invoke(startChat, await proven({ mock, env: WEBHOOK_ENV, body: {} }));
    const chat = started.body as { conversationSid: string; identity: string };
    const params = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'EventType',
          'ConversationSid',
          'Author',
          'ChatServiceSid',
          'RetryCount',
          'Body',
        ),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(
        fc.constantFrom(
          'onMessageAdded',
          'onConversationUpdated',
          chat.conversationSid,
          chat.identity,
          'CH' + '0'.repeat(32),
          'system',
          TEST_ENV.CONVERSATIONS_SERVICE_SID,
        ),
        fc.string({ maxLength: 40 }),
      ),
      { maxKeys: 7 },
    );
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (p, signed) => {
        const before = mock.requests().length;
        const delivery = signedDelivery(p, signed ? {} : { signature: 'forged' });
        const res = await invoke(interaction, { mock, env: WEBHOOK_ENV, ...delivery });
        expect(res.status).not.toBe(500);
        expect(res.text).not.toMatch(STACK);
        expectOneErrorShape(res.status, res.body);
        if (!signed) {
          expect(res.status).toBe(403);
          expect(mock.requests().length).toBe(before);
        } else {
          expect([200, 400]).toContain(res.status);
        }
      }),
      { numRuns: 800 },
    );
    expect(interactions(mock).length).toBeLessThanOrEqual(1);
  });

  it('/end-chat: never 500, never a stack, never a Twilio call without a valid token', async () => {
    const token = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.constant(signTestToken(newIdentity(Date.now()), {}, { secret: 'forged' })),
      anyJson,
    );
    const body = fc.oneof(
      fc.record(
        { token, conversationSid: fc.oneof(fc.constant('CH' + 'a'.repeat(32)), fc.string()) },
        { requiredKeys: [] },
      ),
      fc.dictionary(fieldName, anyJson, { maxKeys: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(body, headers, async (b, hdrs) => {
        const res = await invoke(endChat, { mock, body: b, headers: hdrs });
        expect([400, 401, 403, 415]).toContain(res.status);
        expect(res.text).not.toMatch(STACK);
        expectOneErrorShape(res.status, res.body);
      }),
      { numRuns: 1000 },
    );
    expect(mock.requests()).toHaveLength(0);
  });
});
