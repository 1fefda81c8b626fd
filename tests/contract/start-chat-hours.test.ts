/**
 * POST /start-chat under OPENING_HOURS and AFTER_HOURS, end to end through
 * the real `twilio` library and the local mock (every request validated
 * against Twilio's OpenAPI specs), with a fixed clock (only `Date` is faked).
 *
 * Outside hours a refusal makes no request at all: not the budget's count,
 * not the challenge's claim. AFTER_HOURS=message starts the chat marked
 * `afterHours: true` in its pre-engagement data, in every mode, and that
 * mark reaches the task (webhook mode: /interaction's task attributes here;
 * Studio: tests/setup/flow-definition.test.ts).
 */
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { invoke, type InvokeResult } from '../../dev/invoke';
import { conversations, interactions } from '../../dev/twilio-fake/apis';
import { ADDRESS_ENV, seedChatAddress } from '../../dev/twilio-fake/modes';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import { messageAddedParams, signedDelivery, WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import { sealed } from '../support/seal';

const mock = TwilioMock.perTest(seedChatAddress);

const HOURS = 'Europe/Madrid; Mon-Fri 09:00-18:00; closed 2030-01-01';
/** Saturday 5 January 2030, 13:00 in Madrid: closed. */
const SATURDAY = '2030-01-05T12:00:00Z';
/** Monday 7 January 2030, 11:00 in Madrid: open. */
const MONDAY = '2030-01-07T10:00:00Z';

function clockAt(iso: string): void {
  jest.useFakeTimers({
    now: Date.parse(iso),
    doNotFake: [
      'nextTick',
      'setImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
}
afterEach(() => jest.useRealTimers());

const start = async (env: TestEnv, body: object = { friendlyName: 'Ana' }) =>
  invoke(startChat, { mock, env, body: await withProof(body, { env }) });

type ErrorBody = { error: { code: string; message: string } };
const errorOf = (res: InvokeResult) => (res.body as ErrorBody).error;

function form(request: RecordedRequest | undefined): Record<string, string[]> {
  if (!request) throw new Error('request not made');
  return request.form;
}
const createdAttributes = () =>
  JSON.parse(form(mock.requests('conversations.create')[0]).Attributes?.[0] ?? '') as {
    pre_engagement_data: Record<string, unknown>;
  };

describe('outside opening hours, AFTER_HOURS closed (default) or hide', () => {
  it.each([
    ['closed (default)', {}],
    ['hide', { AFTER_HOURS: 'hide' }],
    [
      'closed, with a budget and in address mode (claim)',
      { ...ADDRESS_ENV, MAX_CHATS_PER_MINUTE: '5' },
    ],
  ])(
    '%s: 403 outside_opening_hours naming the next opening, and not one request',
    async (_, extra) => {
      clockAt(SATURDAY);
      const res = await start({ ...TEST_ENV, OPENING_HOURS: HOURS, ...extra });
      expect(res.status).toBe(403);
      expect(errorOf(res)).toEqual({
        code: 'outside_opening_hours',
        message:
          'We are closed: chats can be started again from 2030-01-07T08:00:00.000Z (opening hours in Europe/Madrid).',
      });
      expect(mock.requests()).toHaveLength(0);
    },
  );

  it('refuses on a closed date that is a weekday (New Year, a Tuesday)', async () => {
    clockAt('2030-01-01T10:00:00Z');
    const res = await start({ ...TEST_ENV, OPENING_HOURS: HOURS });
    expect(errorOf(res).message).toContain('from 2030-01-02T08:00:00.000Z');
    expect(mock.requests()).toHaveLength(0);
  });

  it('starts within hours, unmarked, dropping a customer-sent afterHours', async () => {
    clockAt(MONDAY);
    const res = await start(
      { ...TEST_ENV, OPENING_HOURS: HOURS },
      {
        friendlyName: 'Ana',
        preEngagement: { email: 'ana@example.com', afterHours: true },
      },
    );
    expect(res.status).toBe(200);
    expect(createdAttributes().pre_engagement_data).toEqual({ email: 'ana@example.com' });
  });

  it('without OPENING_HOURS is always open', async () => {
    clockAt(SATURDAY);
    expect((await start({ ...TEST_ENV, AFTER_HOURS: 'hide' })).status).toBe(200);
  });
});

describe('AFTER_HOURS=message: the chat starts marked after hours', () => {
  const env = { ...TEST_ENV, OPENING_HOURS: HOURS, AFTER_HOURS: 'message' };

  it('studio mode: in the conversation attributes the flow sends to the task', async () => {
    clockAt(SATURDAY);
    const res = await start(env, { friendlyName: 'Ana', preEngagement: { afterHours: 'no' } });
    expect(res.status).toBe(200);
    expect(createdAttributes().pre_engagement_data).toEqual({ afterHours: true });
  });

  it('address mode: in the PreEngagementData Flex puts on the conversation', async () => {
    clockAt(SATURDAY);
    const res = await start({ ...env, ...ADDRESS_ENV }, { friendlyName: 'Ana' });
    expect(res.status).toBe(200);
    const sent = form(mock.requests().find((r) => r.path === '/v2/WebChats'));
    expect(JSON.parse(sent.PreEngagementData?.[0] ?? '')).toEqual({
      afterHours: true,
      friendlyName: 'Ana',
      webchat_seal: sealed(),
    });
  });

  it('webhook mode: /interaction gives the task pre_engagement_data.afterHours', async () => {
    clockAt(SATURDAY);
    const res = await start({ ...env, ...WEBHOOK_ENV }, { friendlyName: 'Ana' });
    expect(res.status).toBe(200);
    const { conversationSid, identity } = res.body as { conversationSid: string; identity: string };
    const webhookSid = conversations(mock).get(conversationSid)?.webhooks[0]?.sid;
    const params = messageAddedParams({ conversationSid, author: identity, webhookSid });
    const delivered = await invoke(interaction, {
      mock,
      env: { ...env, ...WEBHOOK_ENV },
      ...signedDelivery(params),
    });
    expect(delivered.status).toBe(200);
    expect(interactions(mock)[0]?.routing.properties?.attributes).toMatchObject({
      pre_engagement_data: { afterHours: true },
    });
  });

  it('within hours the same configuration starts unmarked chats', async () => {
    clockAt(MONDAY);
    expect((await start(env)).status).toBe(200);
    expect(createdAttributes().pre_engagement_data).toEqual({});
  });
});
