/**
 * Per-function configuration: each function validates only the sections of
 * the configuration it uses, so a problem in one part of .env stops only the
 * functions that need it; /status reports every problem. A refused request
 * makes no Twilio request at all.
 */
import { handler as issueChallenge } from '../../functions/challenge';
import { handler as endChat } from '../../functions/end-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as refresh } from '../../functions/refresh-token';
import { handler as startChat } from '../../functions/start-chat';
import { handler as status } from '../../functions/status';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { ACCOUNT } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { ADDRESS_ENV, seedChatAddress } from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { messageAddedParams, signedDelivery } from '../../dev/twilio-fake/webhooks';

const mock = TwilioMock.perTest(seedChatAddress);
afterEach(() => expect(mock.violations).toEqual([]));

type Problems = { error: { code: string; fields?: { field: string; problem: string }[] } };
const fieldsOf = (body: unknown) => (body as Problems).error.fields?.map((f) => f.field);
type Started = { conversationSid: string; token: string };

const LOCAL = { domainName: 'localhost:3000', headers: { origin: 'http://localhost:3000' } };

/** A .env from before ADDRESS_ROUTES_TO: address mode with TaskRouter variables left in it. */
const OLD_ADDRESS_ENV = {
  ...ADDRESS_ENV,
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
};

describe('address mode with TaskRouter variables left in .env, run locally', () => {
  it('/start-chat answers 200: starting an address chat needs no PUBLIC_BASE_URL', async () => {
    const res = await invoke(
      startChat,
      await proven({ mock, env: OLD_ADDRESS_ENV, body: {}, ...LOCAL }),
    );
    expect(res.status).toBe(200);
    expect(mock.requests('webchats.create')).toHaveLength(1);
  });

  it('/status and /interaction name ADDRESS_ROUTES_TO, with what to set', async () => {
    const res = await invoke(status, { mock, env: OLD_ADDRESS_ENV, ...LOCAL });
    expect(res.status).toBe(503);
    expect(fieldsOf(res.body)).toEqual(['ADDRESS_ROUTES_TO']);
    expect(res.text).toMatch(/ADDRESS_ROUTES_TO=webhook/);

    const delivery = signedDelivery(
      messageAddedParams({ conversationSid: 'CH' + 'a'.repeat(32), author: 'x' }),
    );
    const webhook = await invoke(interaction, { mock, env: OLD_ADDRESS_ENV, ...delivery });
    expect(webhook.status).toBe(503);
    expect(fieldsOf(webhook.body)).toEqual(['ADDRESS_ROUTES_TO']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('ADDRESS_ROUTES_TO=studio settles it: /status says configured', async () => {
    const env = { ...OLD_ADDRESS_ENV, ADDRESS_ROUTES_TO: 'studio' };
    const res = await invoke(status, { mock, env, ...LOCAL });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      configured: true,
      handoffMode: 'address',
      chatBudget: null,
      syncService: 'default',
      challenge: 'on',
      captcha: null,
      openingHours: null,
      availability: 'off',
      customerTokens: null,
      survey: null,
      transcript: null,
    });
  });

  it('ADDRESS_ROUTES_TO=webhook: a chat /interaction could not route is not started', async () => {
    const env = { ...OLD_ADDRESS_ENV, ADDRESS_ROUTES_TO: 'webhook' };
    const res = await invoke(startChat, { mock, env, body: {}, ...LOCAL });
    expect(res.status).toBe(503);
    expect(fieldsOf(res.body)).toEqual(['PUBLIC_BASE_URL']);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('a broken hand-off setting stops starting chats, not chats in progress', () => {
  const BROKEN = { ...TEST_ENV, STUDIO_FLOW_SID: 'WW' + '1'.repeat(32) };

  it('/start-chat and /status name it; /refresh-token and /end-chat still work', async () => {
    const chat = (await invoke(startChat, await proven({ mock, body: {} }))).body as Started;
    const before = mock.requests().length;

    const start = await invoke(startChat, { mock, env: BROKEN, body: {} });
    expect(start.status).toBe(503);
    expect(fieldsOf(start.body)).toEqual(['STUDIO_FLOW_SID']);
    const report = await invoke(status, { mock, env: BROKEN });
    expect(fieldsOf(report.body)).toEqual(['STUDIO_FLOW_SID']);
    expect(mock.requests()).toHaveLength(before);

    const renewed = await invoke(refresh, { mock, env: BROKEN, body: { token: chat.token } });
    expect(renewed.status).toBe(200);
    const { token, conversationSid } = chat;
    const ended = await invoke(endChat, { mock, env: BROKEN, body: { token, conversationSid } });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ ended: true, closed: 'conversation' });
  });

  it('/refresh-token does not need the hand-off mode (it asks Twilio only whether the chat is open)', async () => {
    const chat = (await invoke(startChat, await proven({ mock, body: {} }))).body as Started;
    const before = mock.requests().length;
    const env = { ...TEST_ENV, HANDOFF_MODE: 'pigeon' };
    const renewed = await invoke(refresh, { mock, env, body: { token: chat.token } });
    expect(renewed.status).toBe(200);
    expect(
      mock
        .requests()
        .slice(before)
        .map((r) => r.name),
    ).toEqual(['participantConversations.list']);
    const started = await invoke(startChat, { mock, env, body: {} });
    expect(fieldsOf(started.body)).toEqual(['HANDOFF_MODE']);
  });

  it('an AUTH_TOKEN the runtime would refuse (AUTH_TOKEN=x) is named by /status, not a bare 500', async () => {
    const env = { ...TEST_ENV, AUTH_TOKEN: 'x' };
    const report = await invoke(status, { mock, env, ...LOCAL });
    expect(report.status).toBe(503);
    expect(fieldsOf(report.body)).toEqual(['AUTH_TOKEN']);
    const challenge = await invoke(issueChallenge, { mock, env, ...LOCAL });
    expect(fieldsOf(challenge.body)).toEqual(['AUTH_TOKEN']);
    const started = await invoke(startChat, { ...(await proven({ mock, body: {} })), env });
    expect(started.status).toBe(503);
    expect(fieldsOf(started.body)).toEqual(['AUTH_TOKEN']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('/status lists every problem of every section at once', async () => {
    const env = {
      ...TEST_ENV,
      API_KEY: undefined,
      HANDOFF_MODE: 'webhook',
      TOKEN_TTL_SECONDS: '5',
    };
    const res = await invoke(status, { mock, env, ...LOCAL });
    expect(fieldsOf(res.body)).toEqual([
      'API_KEY',
      'PUBLIC_BASE_URL',
      'TASKROUTER_WORKSPACE_SID',
      'TASKROUTER_WORKFLOW_SID',
      'TOKEN_TTL_SECONDS',
    ]);
  });
});
