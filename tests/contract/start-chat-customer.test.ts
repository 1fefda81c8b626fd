/**
 * POST /start-chat with a signed-in customer's token (src/customer/verify.ts),
 * through the real `twilio` library and the spec-validating Twilio fake:
 * what a verified start answers, and that every refused token costs zero
 * Twilio requests (the check runs before the guard writes anything).
 */
import { generateKeyPairSync } from 'node:crypto';
import { handler } from '../../functions/start-chat';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { invoke, type InvokeOptions } from '../../dev/invoke';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
captureLogsPerTest();

const ENV = { ...TEST_ENV, ...CUSTOMER_ENV };
type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };

/** The token with its header saying alg none and its signature removed. */
function unsigned(token: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${token.split('.')[1] ?? ''}.`;
}

async function start(body: Record<string, unknown>, options: InvokeOptions = {}) {
  const env = options.env ?? ENV;
  return invoke(handler, { mock, env, ...options, body: await withProof(body, { env }) });
}

describe('POST /start-chat: a signed-in customer', () => {
  it('starts the chat and answers the verified name and email for the widget to show', async () => {
    const customerToken = await mintCustomerToken({ name: 'Ana Pérez', email: 'ana@example.com' });
    const res = await start({ friendlyName: 'Ana', customerToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      conversationSid: expect.stringMatching(/^CH/),
      customer: { name: 'Ana Pérez', email: 'ana@example.com' },
    });
    expect(mock.writes().length).toBeGreaterThan(0);
  });

  it('answers no customer for an anonymous start', async () => {
    const res = await start({ friendlyName: 'Ana' });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('customer');
  });

  it('says previousChat: true only with SHOW_PREVIOUS_CHAT=true and a verified customer', async () => {
    const env = { ...ENV, SHOW_PREVIOUS_CHAT: 'true' };
    const customerToken = await mintCustomerToken({ sub: 'cus_previous' });
    const on = await start({ customerToken }, { env });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({
      identity: expect.stringMatching(/^cust_/),
      previousChat: true,
    });
    // Anonymous with it on, and verified with it off: not said (the widget then never asks).
    const anonymous = await start({ friendlyName: 'Ana' }, { env });
    expect(anonymous.body).not.toHaveProperty('previousChat');
    const off = await start({ customerToken: await mintCustomerToken({ sub: 'cus_off' }) });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ identity: expect.stringMatching(/^cust_/) });
    expect(off.body).not.toHaveProperty('previousChat');
  });
});

describe('POST /start-chat: room for the verified claims', () => {
  it('reserves 4 KB of the 16 KB pre-engagement data when a token comes, refused before any request', async () => {
    const preEngagement = { notes: 'x'.repeat(13 * 1024) };
    const customerToken = await mintCustomerToken();
    const refused = await start({ preEngagement, customerToken });
    expect(refused.status).toBe(400);
    expect((refused.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'preEngagement',
    ]);
    expect(mock.requests()).toHaveLength(0);
    expect((await start({ preEngagement })).status).toBe(200);
  });
});

describe('POST /start-chat: customer tokens refused, with zero Twilio requests', () => {
  it.each([
    ['forged', () => mintCustomerToken({}, { key: new TextEncoder().encode('z'.repeat(40)) })],
    ['of another issuer', () => mintCustomerToken({ iss: 'https://evil.example' })],
    ['without sub', () => mintCustomerToken({ sub: undefined })],
    ['too long-lived', () => mintCustomerToken({}, { lifetimeSeconds: 3600 })],
    ['over 4 KB', () => mintCustomerToken({ pad: 'x'.repeat(4100) })],
  ])('a token %s: 401 customer_token_invalid', async (_, make) => {
    const res = await start({ customerToken: await make() });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it.each([
    ['issued in the future', () => mintCustomerToken({}, { nowMs: Date.now() + 120_000 })],
    ['not valid yet (nbf)', () => mintCustomerToken({ nbf: Math.floor(Date.now() / 1000) + 120 })],
    ['for another audience', () => mintCustomerToken({ aud: 'another-app' })],
    ['with alg none', async () => unsigned(await mintCustomerToken())],
  ])('a token %s: 401 customer_token_invalid', async (_, make) => {
    const res = await start({ customerToken: await make() });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it('HS/RS confusion: an HS256 token keyed with the RS256 public key itself: 401', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const env = { ...ENV, CUSTOMER_TOKEN_SECRET: '', CUSTOMER_PUBLIC_KEY: pem };
    const customerToken = await mintCustomerToken({}, { key: new TextEncoder().encode(pem) });
    const res = await start({ customerToken }, { env });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it('is checked before the proof: a bad token without a proof is 401, not challenge_required', async () => {
    const customerToken = await mintCustomerToken({ aud: 'another-app' });
    const res = await invoke(handler, { mock, env: ENV, body: { customerToken } });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
  });

  it('is checked after the opening hours: closed is closed, whatever the token', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const env = { ...ENV, OPENING_HOURS: `UTC; Mon-Sun 00:00-24:00; closed ${today}` };
    const res = await start({ customerToken: 'not-a-token' }, { env });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('outside_opening_hours');
  });

  it('an expired token: 401 customer_token_expired', async () => {
    const customerToken = await mintCustomerToken({}, { nowMs: Date.now() - 600_000 });
    const res = await start({ customerToken });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_expired');
    expect(mock.requests()).toHaveLength(0);
  });

  it('REQUIRE_SIGNED_IN=true without a token: 401 customer_token_required', async () => {
    const res = await start(
      { friendlyName: 'Ana' },
      { env: { ...ENV, REQUIRE_SIGNED_IN: 'true' } },
    );
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_required');
    expect(mock.requests()).toHaveLength(0);
  });

  it('a token in the query string: 400, never read', async () => {
    const customerToken = await mintCustomerToken();
    const res = await start({}, { query: { customerToken } });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['customerToken']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('a token that is not a string: 400 naming the field', async () => {
    const res = await start({ customerToken: 42 });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['customerToken']);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('GET /status: customer tokens', () => {
  it('says how tokens are verified and what is required, never a key', async () => {
    const { handler: status } = await import('../../functions/status');
    const env = { ...ENV, REQUIRE_SIGNED_IN: 'true', SHOW_PREVIOUS_CHAT: 'true' };
    const res = await invoke(status, { mock, env });
    expect(res.body).toMatchObject({
      customerTokens: { verifiedWith: 'secret', requireSignedIn: true, showPreviousChat: true },
    });
    expect(res.text).not.toContain(CUSTOMER_ENV.CUSTOMER_TOKEN_SECRET);
    expect(mock.requests()).toHaveLength(0);
  });
});
