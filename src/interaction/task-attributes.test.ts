/**
 * The task attributes /interaction gives Flex (task-attributes.ts): the name
 * agents see, whichever mode wrote the conversation, the pre-engagement
 * answers as stored, and `customer` only in the verified shape, only with
 * this service's signature for the message's author, made within a session,
 * and without the signature itself.
 */
import { customerSignature } from '../customer-signature';
import type { CustomerTrust } from '../customer-trust';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { captureLogsPerTest } from '../../tests/support/logs';
import { taskAttributes } from './task-attributes';

const logs = captureLogsPerTest();
const CH = 'CH' + 'a'.repeat(32);
const ANA = 'cust_' + 'a'.repeat(32);
const NOW_MS = Date.UTC(2026, 11, 3, 12);
const DAY = 86_400;
const trust: CustomerTrust = {
  apiSecret: TEST_ENV.API_SECRET,
  identity: ANA,
  nowMs: NOW_MS,
  maxAgeSeconds: DAY,
};

const CLAIMS = {
  verified: true as const,
  id: 'cus_42',
  issuer: 'https://shop.example.com',
  name: 'Ana Pérez',
  email: 'ana@example.com',
  claims: { plan: 'gold', accountAgeDays: 412, beta: false },
  verifiedAt: NOW_MS / 1000 - 600, // the start, ten minutes before the hand-off
};
const signed = (
  identity = ANA,
  apiSecret: string = TEST_ENV.API_SECRET,
  claims: typeof CLAIMS = CLAIMS,
) => ({ ...claims, signature: customerSignature(apiSecret, identity, claims) });
/** What the task shows: the signed fields, without the signature. */
const shown = (customer: ReturnType<typeof signed>) => {
  const { signature: _, ...fields } = customer;
  return fields;
};

describe('taskAttributes', () => {
  it('our own conversations: the name from `from`, the answers as stored', () => {
    const stored = { from: 'Ana', pre_engagement_data: { topic: 'billing' } };
    expect(taskAttributes(CH, stored, trust)).toEqual({
      from: 'Ana',
      customerName: 'Ana',
      channelType: 'web',
      conversationSid: CH,
      pre_engagement_data: { topic: 'billing' },
    });
  });

  it("Flex's conversations (address mode): the name from pre_engagement_data.friendlyName", () => {
    const stored = { pre_engagement_data: { friendlyName: 'Bo', plan: 'x' } };
    const task = taskAttributes(CH, stored, trust);
    expect(task).toMatchObject({ from: 'Bo', customerName: 'Bo' });
    expect(task.pre_engagement_data).toEqual({ friendlyName: 'Bo', plan: 'x' });
  });

  it.each([
    ['no name at all', {}],
    ['a blank `from`', { from: '   ' }],
    ['a name that is not text', { from: 42, pre_engagement_data: { friendlyName: ['x'] } }],
  ])('%s: "Customer"', (_, stored) => {
    expect(taskAttributes(CH, stored, trust)).toMatchObject({
      from: 'Customer',
      customerName: 'Customer',
    });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['text', 'topic=billing'],
  ])('pre_engagement_data %s: {}', (_, value) => {
    const task = taskAttributes(CH, { from: 'Ana', pre_engagement_data: value }, trust);
    expect(task.pre_engagement_data).toEqual({});
  });

  it('never takes anything else from the conversation (an interactionSid, say)', () => {
    const task = taskAttributes(CH, { from: 'Ana', interactionSid: 'KD1', x: 1 }, trust);
    expect(Object.keys(task).sort()).toEqual(
      ['channelType', 'conversationSid', 'customerName', 'from', 'pre_engagement_data'].sort(),
    );
  });
});

describe('taskAttributes: `customer` only with a valid signature', () => {
  it.each([
    ['at the top (studio, webhook)', (c: unknown) => ({ from: 'Ana', customer: c })],
    [
      'in the pre-engagement data (address)',
      (c: unknown) => ({ pre_engagement_data: { customer: c } }),
    ],
  ])('signed for the author, %s: passed on without the signature', (_, where) => {
    const customer = signed();
    expect(taskAttributes(CH, where(customer), trust).customer).toEqual(shown(customer));
    expect(logs.events()).toEqual([]);
  });

  it('the verified name is the name agents see, before a typed one', () => {
    const task = taskAttributes(
      CH,
      { pre_engagement_data: { friendlyName: 'Eve', customer: signed() } },
      trust,
    );
    expect(task).toMatchObject({ from: 'Ana Pérez', customerName: 'Ana Pérez' });
  });

  it('at the top (written by this service only), a signature days old still counts: a signed-in chat may outlive a session', () => {
    const old = signed(ANA, TEST_ENV.API_SECRET, {
      ...CLAIMS,
      verifiedAt: NOW_MS / 1000 - 3 * DAY,
    });
    expect(taskAttributes(CH, { from: 'Ana', customer: old }, trust).customer).toEqual(shown(old));
    // The same in the pre-engagement data (anyone's, on a Chat Address): expired.
    const copied = taskAttributes(CH, { pre_engagement_data: { customer: old } }, trust);
    expect(copied).not.toHaveProperty('customer');
    expect(logs.text()).toContain('expired');
  });

  it('the same claims re-serialised in another key order still verify', () => {
    const { signature, claims: _, ...rest } = signed();
    const claims = { beta: false, accountAgeDays: 412, plan: 'gold' };
    const reordered = JSON.parse(JSON.stringify({ signature, claims, ...rest })) as unknown;
    expect(taskAttributes(CH, { customer: reordered }, trust).customer).toEqual({
      ...rest,
      claims,
    });
  });

  it.each([
    ['unsigned (another client on the Chat Address)', { ...CLAIMS }, 'unsigned'],
    ["signed for another customer's identity", signed('cust_' + 'b'.repeat(32)), 'bad_signature'],
    ['signed with another API_SECRET', signed(ANA, 'x'.repeat(32)), 'bad_signature'],
    ['a changed id', { ...signed(), id: 'cus_1' }, 'bad_signature'],
    ['a changed issuer', { ...signed(), issuer: 'https://evil.example' }, 'bad_signature'],
    ['a changed name', { ...signed(), name: 'Someone Else' }, 'bad_signature'],
    ['an email added', { ...signed(), email: 'x@evil.example' }, 'bad_signature'],
    ['a claim added', { ...signed(), claims: { ...CLAIMS.claims, vip: true } }, 'bad_signature'],
    ['a claim removed', { ...signed(), claims: { plan: 'gold' } }, 'bad_signature'],
    [
      'a claim changed',
      { ...signed(), claims: { ...CLAIMS.claims, plan: 'platinum' } },
      'bad_signature',
    ],
    ['a malformed signature', { ...CLAIMS, signature: 'v2.abc' }, 'bad_signature'],
    [
      'signed more than a session before the hand-off',
      signed(ANA, TEST_ENV.API_SECRET, { ...CLAIMS, verifiedAt: NOW_MS / 1000 - DAY - 1 }),
      'expired',
    ],
    [
      'signed in the future (another clock, over a minute ahead)',
      signed(ANA, TEST_ENV.API_SECRET, { ...CLAIMS, verifiedAt: NOW_MS / 1000 + 120 }),
      'expired',
    ],
    [
      'its time changed (to make old claims look fresh)',
      {
        ...signed(ANA, TEST_ENV.API_SECRET, { ...CLAIMS, verifiedAt: 1 }),
        verifiedAt: CLAIMS.verifiedAt,
      },
      'bad_signature',
    ],
    [
      'a v1 signature (from before verifiedAt)',
      { ...CLAIMS, signature: 'v1.' + 'A'.repeat(43) },
      'bad_signature',
    ],
    [
      'a signature with a stray character',
      { ...CLAIMS, signature: `${signed().signature}!` },
      'bad_signature',
    ],
    ['a signature that is not text', { ...CLAIMS, signature: 42 }, 'bad_signature'],
  ])('%s: dropped, and logged without personal data', (_, customer, reason) => {
    const task = taskAttributes(
      CH,
      { pre_engagement_data: { friendlyName: 'Ana', customer } },
      trust,
    );
    expect(task).not.toHaveProperty('customer');
    expect(task.from).toBe('Ana'); // the rest of the task as before
    expect(logs.events()).toEqual(['customer_claims_dropped']);
    expect(logs.text()).toContain(reason);
    for (const data of ['cus_42', 'Ana', 'ana@example.com', 'gold', ANA]) {
      expect(logs.text()).not.toContain(data);
    }
  });

  it('signed, with keys added beside the signed fields: only the signed fields pass', () => {
    const padded = { ...signed(), plan: 'enterprise', creditLimit: 1e6, verified_by: 'bank' };
    const task = taskAttributes(CH, { pre_engagement_data: { customer: padded } }, trust);
    expect(task.customer).toEqual(shown(signed()));
    expect(task.pre_engagement_data).toEqual({});
  });

  it('a forged `customer` (and a seal) never stays in the pre-engagement data', () => {
    const forged = { ...CLAIMS, signature: 'v2.' + 'A'.repeat(43) };
    const stored = { pre_engagement_data: { topic: 'x', customer: forged, webchat_seal: {} } };
    const task = taskAttributes(CH, stored, trust);
    expect(task.pre_engagement_data).toEqual({ topic: 'x' });
    expect(JSON.stringify(task)).not.toContain('verified');
  });

  it("signed for the author, but the author is an anonymous chat's `web_` identity: dropped", () => {
    const anonymous = { ...trust, identity: 'web_abc_' + '0'.repeat(32) };
    expect(taskAttributes(CH, { customer: signed() }, anonymous)).not.toHaveProperty('customer');
  });
});
