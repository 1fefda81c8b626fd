/**
 * HANDOFF_MODE=address with a Chat Address whose auto-creation webhook is
 * this service's /interaction: WebChats attaches that webhook to the
 * conversation, and /interaction hands it to Flex exactly once, with the
 * customer's name from the pre-engagement data (WebChats conversations have
 * no `from` attribute and no unique name).
 */
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as startChat } from '../../functions/start-chat';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { captureLogsPerTest } from '../support/logs';
import { ACCOUNT, conversations, interactions } from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  ADDRESS_WEBHOOK_ENV,
  INTERACTION_URL,
  seedChatAddress,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  messageAddedParams,
  scopedWebhookSid,
  signedDelivery,
  type MessageAdded,
} from '../../dev/twilio-fake/webhooks';

const mock = TwilioMock.perTest((m) => seedChatAddress(m, { webhookUrl: INTERACTION_URL }));
captureLogsPerTest(); // keeps the expected error logs out of the output

interface Chat {
  conversationSid: string;
  identity: string;
}

async function startChatHere(): Promise<Chat> {
  const res = await invoke(
    startChat,
    await proven({
      mock,
      env: ADDRESS_WEBHOOK_ENV,
      body: { friendlyName: 'Ana López', preEngagement: { email: 'ana@example.com' } },
    }),
  );
  expect(res.status).toBe(200);
  return res.body as Chat;
}

const deliver = (message: MessageAdded, env: object = ADDRESS_WEBHOOK_ENV) =>
  invoke(interaction, {
    mock,
    env: env as Record<string, string>,
    ...signedDelivery(messageAddedParams(message)),
  });

describe('/interaction behind a Chat Address', () => {
  it('hands the first customer message to Flex once, with the name agents should see', async () => {
    const chat = await startChatHere();
    const conversation = conversations(mock).get(chat.conversationSid);
    expect(conversation?.uniqueName).toBeNull();
    expect(conversation?.webhooks).toMatchObject([{ target: 'webhook', url: INTERACTION_URL }]);
    // The webhook the Chat Address attached sends the delivery, naming itself.
    const webhookSid = scopedWebhookSid(mock, chat.conversationSid);
    const before = mock.requests().length;
    mock.latencyMs = 60;

    const first = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      webhookSid,
    });
    expect(first.body).toMatchObject({ outcome: 'handed_off', recorded: true });
    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'conversations.update',
      'interactions.create',
      'webhooks.delete',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(3);
    const [claim] = made.filter((r) => r.name === 'webhooks.delete');
    expect(claim?.path).toMatch(
      new RegExp(`/Conversations/${chat.conversationSid}/Webhooks/${webhookSid}$`),
    );
    expect(conversation?.webhooks).toEqual([]);
    expect(interactions(mock)).toHaveLength(1);
    const routing = interactions(mock)[0]?.routing.properties;
    expect(routing).toEqual({
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: ACCOUNT.workflowSid,
      task_channel_unique_name: 'chat',
      attributes: {
        from: 'Ana López',
        customerName: 'Ana López',
        channelType: 'web',
        conversationSid: chat.conversationSid,
        pre_engagement_data: { email: 'ana@example.com', friendlyName: 'Ana López' },
      },
    });

    const again = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      webhookSid,
    });
    expect(again.body).toEqual({ outcome: 'ignored', reason: 'already_handed_off' });
    expect(interactions(mock)).toHaveLength(1);
  });

  it('claims by list a delivery that names no webhook: 4 round trips', async () => {
    const chat = await startChatHere();
    const before = mock.requests().length;
    mock.latencyMs = 60;
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.body).toMatchObject({ outcome: 'handed_off', recorded: true });
    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'conversations.update',
      'interactions.create',
      'webhooks.delete',
      'webhooks.list',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(4);
    expect(interactions(mock)).toHaveLength(1);
  });

  it("ignores an agent's message without calling Twilio", async () => {
    const chat = await startChatHere();
    const before = mock.requests().length;
    const res = await deliver({
      conversationSid: chat.conversationSid,
      author: 'agent@example.com',
    });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_customer' });
    expect(mock.requests()).toHaveLength(before);
  });

  it('answers 503 when address mode has no TaskRouter variables to route with', async () => {
    const res = await deliver(
      { conversationSid: 'CH' + 'a'.repeat(32), author: 'web_x_' + '0'.repeat(32) },
      ADDRESS_ENV,
    );
    expect(res.status).toBe(503);
    expect(mock.requests()).toHaveLength(0);
  });
});
