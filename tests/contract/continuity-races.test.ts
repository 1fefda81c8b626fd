/**
 * The review's findings on the continuity rework (src/customer/continuity.ts),
 * through the real `twilio` library and the spec-validating fake: a customer
 * with more than 50 conversations whose pointer is stale (a pointer write
 * Sync refused, a second device looking between the claim's release and the
 * pointer's write), a winner whose question fails once other devices may
 * have joined its chat, and an ambiguous failure of that question where the
 * shared `cust_` identity has written another device's message.
 */
import type { VerifiedCustomer } from '../../src/customer/types';
import { UpstreamError } from '../../src/errors';
import { conversations, type MockConversation } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { FLEX_FLOW_ENV, seedFlexFlow } from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  beginStart,
  customerOf,
  seedClosed as seedClosedOf,
  type Env,
} from '../support/continuity';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => seedFlexFlow(m));
const logs = captureLogsPerTest();

/** One device's start with `question`. */
const begin = (env: Env, question: string | undefined, customer: VerifiedCustomer) =>
  beginStart(mock, env, { question }, customer);
const seedClosed = (identity: string, count: number) => seedClosedOf(mock, identity, count);

const notClosed = () => [...conversations(mock).values()].filter((c) => c.state !== 'closed');
const bodiesOf = (sid: string) =>
  (conversations(mock).get(sid) as MockConversation).messages.map((m) => m.body);
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** A customer with 120 closed conversations and a pointer to their ended newest chat. */
async function withStalePointer(): Promise<VerifiedCustomer> {
  const customer = customerOf();
  seedClosed(customer.identity, 120);
  const ended = await begin(TEST_ENV, 'first chat', customer);
  (conversations(mock).get(ended.conversationSid) as MockConversation).state = 'closed';
  return customer;
}

describe('a customer with more than 50 conversations and a stale pointer', () => {
  it('a pointer write Sync refused (429): the next device still finds the chat through the list', async () => {
    const customer = await withStalePointer();
    mock.failNext('sync.documents.update', { status: 429, code: 54009 });
    const laptop = await begin(TEST_ENV, 'laptop', customer);
    expect(logs.events()).toContain('continuity.pointer_not_saved');

    const phone = await begin(TEST_ENV, 'phone', customer);

    expect(phone).toEqual({ ...laptop, resumed: true });
    expect(notClosed()).toHaveLength(1);
    expect(bodiesOf(laptop.conversationSid)).toEqual(['laptop', 'phone']);
  });

  it('a device looking between the claim’s release and the pointer’s write joins the chat', async () => {
    const customer = await withStalePointer();
    const slowPointer = mock.holdNext('sync.documents.update');
    const laptop = begin(TEST_ENV, 'laptop', customer);
    await slowPointer.reached;
    await settle(); // the claim's release (beside the pointer's write) has landed

    const phone = await begin(TEST_ENV, 'phone', customer);
    slowPointer.release();

    expect(phone).toEqual({ ...(await laptop), resumed: true });
    expect(notClosed()).toHaveLength(1);
  });
});

describe.each([
  ['studio', TEST_ENV],
  ['flex-flow', FLEX_FLOW_ENV],
])('the winner’s question fails once the chat is handed off, HANDOFF_MODE=%s', (_, env) => {
  it('a 429: the chat another device joined is kept; the retry resumes it with the question', async () => {
    const customer = customerOf();
    const slowQuestion = mock.holdNext('messages.create');
    const laptop = begin(env, 'laptop', customer).catch((error: unknown) => error);
    await slowQuestion.reached;
    await settle(); // pointer written, claim released: the chat is the customer's now
    const phone = await begin(env, 'phone', customer);
    mock.failNext('messages.create', { status: 429, code: 20429 });
    slowQuestion.release();

    const failed = await laptop;
    expect(failed).toBeInstanceOf(UpstreamError);
    expect((failed as UpstreamError).upstreamStatus).toBe(429); // the widget retries a 503
    expect(conversations(mock).has(phone.conversationSid)).toBe(true);
    expect(mock.requests('conversations.remove')).toHaveLength(0);

    const retried = await begin(env, 'laptop', customer);
    expect(retried).toEqual({ ...phone, resumed: true });
    expect(bodiesOf(phone.conversationSid)).toEqual(['phone', 'laptop']);
    // One chat made in all (in flex-flow, one channel: one task).
    const creates = ['conversations.create', 'flexChannels.create'];
    expect(mock.requests().filter((r) => creates.includes(r.name))).toHaveLength(1);
    expect(logs.events()).toContain('question_not_posted');
  });

  it('an ambiguous 500: another device’s message is not taken for the question', async () => {
    const customer = customerOf();
    const slowQuestion = mock.holdNext('messages.create');
    const laptop = begin(env, 'laptop', customer).catch((error: unknown) => error);
    await slowQuestion.reached;
    await settle();
    const phone = await begin(env, 'phone', customer);
    mock.failNext('messages.create', { status: 500 });
    slowQuestion.release();

    expect(await laptop).toBeInstanceOf(UpstreamError);
    expect(bodiesOf(phone.conversationSid)).toEqual(['phone']);
    await begin(env, 'laptop', customer); // the widget's retry
    expect(bodiesOf(phone.conversationSid)).toEqual(['phone', 'laptop']);
  });
});
