/**
 * POST /check-customer: the signature check a Studio flow calls before Send to
 * Flex (src/customer-check.ts). A `customer` signed by this service for the
 * message's author comes back verified, rebuilt from the signed fields; an
 * unsigned, forged, or another identity's one comes back unverified; the
 * answers never carry `customer` or the seal. No request reaches Twilio.
 */
import { handler } from '../../functions/check-customer';
import { invoke, type InvokeOptions } from '../../dev/invoke';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import type { CustomerAttribute } from '../../src/chat-attributes';
import { customerSignature } from '../../src/customer-signature';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

const IDENTITY = `cust_${'a1'.repeat(16)}`;
const CONVERSATION = `CH${'0f'.repeat(16)}`;
const FIELDS = {
  id: 'cus_42',
  issuer: 'https://shop.example.com',
  name: 'Ana Souza',
  email: 'ana@example.com',
  claims: { plan: 'gold', tier: 2 },
  verifiedAt: Math.floor(Date.now() / 1000) - 60, // the start, a minute before
};

function signed(
  identity = IDENTITY,
  secret: string = TEST_ENV.API_SECRET,
  fields: typeof FIELDS = FIELDS,
): CustomerAttribute {
  return { verified: true, ...fields, signature: customerSignature(secret, identity, fields) };
}

/** What the answer gives back: the signed fields, without the signature. */
const shown = (customer: CustomerAttribute = signed()) => {
  const { signature: _, ...fields } = customer;
  return fields;
};

const SEAL = { v: 1, mac: 'x' };
const ANSWERS = { friendlyName: 'Ana', topic: 'billing' };

// Studio's Make HTTP Request sends no Origin header.
const check = (body: unknown, options: InvokeOptions = {}) =>
  invoke(handler, { mock, body, ...options, headers: { origin: undefined, ...options.headers } });

type Answer = { verified: boolean; customer?: unknown; answers: unknown };
type ErrorBody = { error: { code: string; fields?: { field: string }[] } };

afterEach(() => expect(mock.requests()).toHaveLength(0));

describe('POST /check-customer', () => {
  it('verifies a customer signed for the author, and gives back the signed fields and the answers without the server keys', async () => {
    const customer = signed();
    const res = await check({
      identity: IDENTITY,
      customer,
      answers: { ...ANSWERS, customer, webchat_seal: SEAL },
      conversationSid: CONVERSATION,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ verified: true, customer: shown(customer), answers: ANSWERS });
    expect(logs.events()).toEqual(['customer_checked']);
    expect(logs.text()).toContain(CONVERSATION);
  });

  it('a signature days old counts where the flow found it at the top (not in the answers), never in the answers', async () => {
    const old = signed(IDENTITY, TEST_ENV.API_SECRET, {
      ...FIELDS,
      verifiedAt: FIELDS.verifiedAt - 3 * 86_400,
    });
    const top = await check({ identity: IDENTITY, customer: old, answers: ANSWERS });
    expect(top.body).toEqual({ verified: true, customer: shown(old), answers: ANSWERS });
    const nested = await check({
      identity: IDENTITY,
      customer: old,
      answers: { ...ANSWERS, customer: old },
    });
    expect(nested.body).toEqual({ verified: false, answers: ANSWERS });
  });

  it('takes absent or null answers as none', async () => {
    for (const body of [{ answers: null }, {}]) {
      const res = await check({ identity: IDENTITY, customer: signed(), ...body });
      expect(res.body).toEqual({ verified: true, customer: shown(), answers: {} });
    }
  });

  it('drops a key added beside the signed fields', async () => {
    const res = await check({
      identity: IDENTITY,
      customer: { ...signed(), plan: 'enterprise', role: 'admin' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ verified: true, customer: shown(), answers: {} });
  });

  it('verifies a customer a flow re-serialised (its keys in another order)', async () => {
    const { signature, ...rest } = signed();
    const shuffled = Object.fromEntries(Object.entries({ signature, ...rest }).reverse());
    const res = await check({ identity: IDENTITY, customer: shuffled });
    expect((res.body as Answer).verified).toBe(true);
  });

  it.each([
    [
      'unsigned',
      (() => {
        const { signature: _, ...rest } = signed();
        return rest;
      })(),
    ],
    ['forged: a changed claim', { ...signed(), claims: { plan: 'platinum', tier: 2 } }],
    ['forged: a changed id', { ...signed(), id: 'cus_1' }],
    ['signed with another secret', signed(IDENTITY, 'another-api-secret-0123456789abcdef')],
    ['signed for another identity', signed(`cust_${'b2'.repeat(16)}`)],
    ['a signature of the wrong shape', { ...signed(), signature: 'v2.short' }],
    [
      'signed more than a session ago (its claims copied from an old chat)',
      signed(IDENTITY, TEST_ENV.API_SECRET, {
        ...FIELDS,
        verifiedAt: FIELDS.verifiedAt - 2 * 86_400,
      }),
    ],
    [
      'its time made fresh after signing',
      {
        ...signed(IDENTITY, TEST_ENV.API_SECRET, { ...FIELDS, verifiedAt: 1 }),
        verifiedAt: FIELDS.verifiedAt,
      },
    ],
    ['not verified', { ...signed(), verified: false }],
    ['a string', JSON.stringify(signed())],
    ['null', null],
    ['an array', [signed()]],
  ])('answers verified:false for a customer %s, answers kept without it', async (_, customer) => {
    const res = await check({
      identity: IDENTITY,
      customer,
      answers: { ...ANSWERS, customer },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ verified: false, answers: ANSWERS });
    expect(logs.events()).toEqual(['customer_claims_dropped']);
  });

  it('logs neither the claims, the identity nor the answers', async () => {
    await check({ identity: IDENTITY, customer: signed(), answers: ANSWERS });
    await check({ identity: IDENTITY, customer: { ...signed(), id: 'cus_1' }, answers: ANSWERS });
    for (const secret of [IDENTITY, 'cus_42', 'ana@example.com', 'Ana', 'billing', 'gold']) {
      expect(logs.text()).not.toContain(secret);
    }
  });

  it.each([
    ['no identity', { customer: signed() }, ['identity']],
    ['an empty identity', { identity: '', customer: signed() }, ['identity']],
    ['an identity too long', { identity: 'c'.repeat(257), customer: signed() }, ['identity']],
    ['no customer', { identity: IDENTITY }, ['customer']],
    [
      'a customer too large',
      { identity: IDENTITY, customer: { ...signed(), pad: 'x'.repeat(5000) } },
      ['customer'],
    ],
    [
      'answers not an object',
      { identity: IDENTITY, customer: signed(), answers: 'a' },
      ['answers'],
    ],
    [
      'answers too large',
      { identity: IDENTITY, customer: signed(), answers: { big: 'x'.repeat(17 * 1024) } },
      ['answers'],
    ],
    [
      'a malformed conversation SID',
      { identity: IDENTITY, customer: signed(), conversationSid: 'CH1' },
      ['conversationSid'],
    ],
    ['an unknown field', { identity: IDENTITY, customer: signed(), extra: 1 }, ['extra']],
  ])('refuses %s with a 400 naming the field', async (_, body, fields) => {
    const res = await check(body);
    expect(res.status).toBe(400);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('invalid_request');
    expect(error.fields?.map((f) => f.field)).toEqual(fields);
    expect(res.text).not.toContain(IDENTITY);
  });

  it('refuses a body that is not JSON (415)', async () => {
    const res = await check(
      { identity: IDENTITY, customer: signed() },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect(res.status).toBe(415);
  });

  it("refuses a browser of a site not in ALLOWED_ORIGINS, and lets an allowed one's through", async () => {
    const body = { identity: IDENTITY, customer: signed() };
    const foreign = await check(body, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((foreign.body as ErrorBody).error.code).toBe('origin_not_allowed');
    const allowed = await check(body, { headers: { origin: 'https://shop.example.com' } });
    expect((allowed.body as Answer).verified).toBe(true);
  });

  it('says not_configured (503) without API_SECRET, naming the variable', async () => {
    const res = await check(
      { identity: IDENTITY, customer: signed() },
      { env: { ...TEST_ENV, API_SECRET: '' } },
    );
    expect(res.status).toBe(503);
    expect(res.text).toContain('API_SECRET');
  });
});
