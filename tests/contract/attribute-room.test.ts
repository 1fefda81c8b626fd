/**
 * Room for a signed-in customer's verified claims within Twilio's 16 KB
 * (conversation attributes; pre-engagement data, error 45731, which the fake
 * enforces): /start-chat checks the form with the room kept
 * (CUSTOMER_ATTRIBUTE_RESERVE_BYTES) before it writes anything, so a form
 * too large to share the 16 KB with the claims is a clear 400 with zero
 * Twilio writes, and a form that passes always fits with the largest claims,
 * the signature beside them and the verified name: never a Twilio error
 * after a conversation exists.
 */
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { ADDRESS_ENV, seedChatAddress } from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { invoke } from '../../dev/invoke';
import {
  CUSTOMER_ATTRIBUTE_MAX_BYTES,
  CUSTOMER_ATTRIBUTE_RESERVE_BYTES,
} from '../../src/chat-attributes';
import { CUSTOMER_TOKEN_MAX_LENGTH } from '../../src/customer/verify';
import { LIMITS } from '../../src/limits';
import { parseStartChatRequest } from '../../src/requests';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest(seedChatAddress);
captureLogsPerTest();

const CLAIMS = Array.from({ length: 20 }, (_, i) => `k${i}`).join(',');
const signedIn = (env: TestEnv): TestEnv => ({ ...env, ...CUSTOMER_ENV, CUSTOMER_CLAIMS: CLAIMS });
type ErrorBody = { error: { code: string; fields?: { field: string; problem: string }[] } };

/**
 * The longest `notes` answer /start-chat lets through with a token (no name
 * typed), beside the other fields of `body`: found with the request's own
 * checks, which run before anything is written.
 */
function largestNotes(body: Record<string, unknown> = {}): string {
  const fits = (n: number) => {
    try {
      const preEngagement = { notes: 'x'.repeat(n) };
      parseStartChatRequest({ ...body, preEngagement, customerToken: 'checked later' });
      return true;
    } catch {
      return false;
    }
  };
  let n = 0;
  for (let step = 16384; step >= 1; step /= 2) if (fits(n + step)) n += step;
  return 'x'.repeat(n);
}

/**
 * The largest customer token the service takes: a 64-character name of
 * 3-byte characters (it replaces "Customer" in the name agents see), an
 * email, and allowlisted claims up to the token's length limit.
 */
async function largestToken(): Promise<string> {
  const base = { name: '€'.repeat(64), email: 'ana@example.com' };
  let pad = 0;
  for (let step = 4096; step >= 1; step /= 2) {
    const token = await mintCustomerToken({ ...base, ...claimsOf(pad + step) });
    if (token.length <= CUSTOMER_TOKEN_MAX_LENGTH) pad += step;
  }
  return mintCustomerToken({ ...base, ...claimsOf(pad) });
}
/** Allowlisted claims of at most 256 characters each (verify.ts), `chars` in all. */
function claimsOf(chars: number): Record<string, string> {
  const claims: Record<string, string> = {};
  for (let i = 0; chars > 0; i += 1, chars -= 256)
    claims[`k${i}`] = 'y'.repeat(Math.min(256, chars));
  return claims;
}

async function start(env: TestEnv, body: Record<string, unknown>) {
  return invoke(startChat, { mock, env, body: await withProof(body, { env }) });
}

const formValue = (name: string, key: string): string =>
  mock.requests(name)[0]?.form[key]?.[0] ?? '';

describe('the verified claims always fit beside the largest form allowed', () => {
  it('the claims bound, the signature, the key and the verified name fit in the reserve', () => {
    expect(CUSTOMER_ATTRIBUTE_MAX_BYTES).toBeGreaterThan(3 * 1024);
    expect(CUSTOMER_ATTRIBUTE_MAX_BYTES).toBeLessThan(CUSTOMER_ATTRIBUTE_RESERVE_BYTES);
  });

  it('address mode: the largest form and the largest token start a chat, within 16 KB', async () => {
    const notes = largestNotes();
    const customerToken = await largestToken();
    const res = await start(signedIn(ADDRESS_ENV), { preEngagement: { notes }, customerToken });
    expect(res.status).toBe(200);
    const sent = formValue('webchats.create', 'PreEngagementData');
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(LIMITS.preEngagementMaxBytes);
    // Nothing was left out to make it fit: every claim, the signature, the name.
    const data = JSON.parse(sent) as {
      notes: string;
      friendlyName: string;
      customer: Record<string, unknown>;
    };
    expect(data.notes).toBe(notes);
    expect(data.friendlyName).toBe('€'.repeat(64));
    expect(data.customer).toMatchObject({
      name: '€'.repeat(64),
      signature: expect.stringMatching(/^v2\./),
    });
    const payload = Buffer.from(customerToken.split('.')[1] ?? '', 'base64url').toString();
    const signed = JSON.parse(payload) as Record<string, unknown>;
    const allowlisted = Object.keys(signed).filter((k) => /^k\d+$/.test(k));
    expect(allowlisted.length).toBeGreaterThan(8);
    expect(Object.keys(data.customer.claims as object).sort()).toEqual(allowlisted.sort());
  });

  it('studio mode: the largest form, context and token, within the 16 KB conversation attributes', async () => {
    const context = { crm: 'c'.repeat(LIMITS.contextMaxBytes - 20) };
    const body = { preEngagement: { notes: largestNotes({ context }) }, context };
    const res = await start(signedIn(TEST_ENV), { ...body, customerToken: await largestToken() });
    expect(res.status).toBe(200);
    const attributes = formValue('conversations.create', 'Attributes');
    expect(Buffer.byteLength(attributes)).toBeLessThanOrEqual(
      LIMITS.conversationAttributesMaxBytes,
    );
    expect(JSON.parse(attributes)).toMatchObject({ customer: { verified: true } });
  });
});

describe('a form that leaves no room for the claims: 400 before any Twilio request', () => {
  it('address mode: one byte over the pre-engagement room', async () => {
    const notes = largestNotes() + 'x';
    const env = { ...signedIn(ADDRESS_ENV), MAX_CHATS_PER_MINUTE: '30' }; // a budget that would count
    const res = await start(env, { preEngagement: { notes }, customerToken: await largestToken() });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields).toEqual([
      { field: 'preEngagement', problem: expect.stringMatching(/12 KB with a customer token/) },
    ]);
    expect(mock.requests()).toHaveLength(0);
    // Without a token the same form has the whole 16 KB.
    expect((await start(env, { preEngagement: { notes } })).status).toBe(200);
  });

  it('studio mode: the form and the site context over the conversation attributes room', async () => {
    // Within the pre-engagement room, but with the context over the conversation's.
    const context = { crm: 'c'.repeat(LIMITS.contextMaxBytes - 20) };
    const notes = largestNotes({ context }) + 'x';
    const env = { ...signedIn(TEST_ENV), MAX_CHATS_PER_MINUTE: '30' };
    const body = { preEngagement: { notes }, context };
    const res = await start(env, { ...body, customerToken: await largestToken() });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields).toEqual([
      {
        field: 'preEngagement',
        problem: expect.stringMatching(
          /conversation attributes \(less than 12 KB with a customer token: its verified claims and this service's seal/,
        ),
      },
    ]);
    expect(mock.requests()).toHaveLength(0);
    expect((await start(env, body)).status).toBe(200);
  });
});
