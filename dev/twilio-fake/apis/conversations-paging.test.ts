/**
 * The fake pages a conversation's messages as Twilio does, through the real
 * `twilio` library (every request checked against twilio_conversations_v1.json
 * by the mock): PageSize at most 100, `meta.next_page_url` with a PageToken
 * while more remain, in either order; and it serves Users by SID or identity.
 */
import { TEST_ENV } from '../env';
import { TwilioMock } from '../twilio-mock';
import { addConversationUser } from './conversations-users';
import { conversations, type MockConversation } from './conversations';

const mock = TwilioMock.perTest();
const service = () => mock.client().conversations.v1.services(TEST_ENV.CONVERSATIONS_SERVICE_SID);

function chatOf(count: number): MockConversation {
  const c: MockConversation = {
    sid: `CH${'1'.repeat(32)}`,
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: null,
    friendlyName: null,
    attributes: '{}',
    timers: {},
    state: 'active',
    participants: [],
    webhooks: [],
    messages: Array.from({ length: count }, (_, index) => ({
      sid: `IM${String(index).padStart(32, '0')}`,
      index,
      author: 'ana',
      body: `m${index}`,
      attributes: '{}',
      webhookEnabled: false,
    })),
  };
  conversations(mock).set(c.sid, c);
  return c;
}

describe('messages, paged', () => {
  it('lists every message of a 250-message chat in pages of 100, oldest first', async () => {
    const c = chatOf(250);
    const all = await service().conversations(c.sid).messages.list({ pageSize: 100 });
    expect(all.map((m) => m.index)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(mock.requests('messages.list').map((r) => r.query.PageToken?.[0])).toEqual([
      undefined,
      'PT100',
      'PT200',
    ]);
  });

  it('pages newest first with Order=desc, and says where the next page is until the last', async () => {
    const c = chatOf(150);
    const first = await service()
      .conversations(c.sid)
      .messages.page({ order: 'desc', pageSize: 100 });
    expect(first.instances.map((m) => m.index).slice(0, 2)).toEqual([149, 148]);
    expect(first.nextPageUrl).toBe(
      `https://conversations.twilio.com/v1/Services/${c.serviceSid}/Conversations/${c.sid}/Messages?Order=desc&PageSize=100&Page=1&PageToken=PT100`,
    );
    const last = await first.nextPage();
    expect(last?.instances.map((m) => m.index)).toEqual(
      Array.from({ length: 50 }, (_, i) => 49 - i),
    );
    expect(last?.nextPageUrl).toBeUndefined();
  });

  it('keeps one page of 50 by default, as before, for callers that ask for a few', async () => {
    const c = chatOf(60);
    const newest = await service().conversations(c.sid).messages.list({ order: 'desc', limit: 1 });
    expect(newest.map((m) => m.index)).toEqual([59]);
    expect(mock.requests('messages.list')).toHaveLength(1);
    const page = await service().conversations(c.sid).messages.page({});
    expect(page.instances).toHaveLength(50);
  });
});

describe('users', () => {
  it('fetches a user by identity or SID, and 404s an unknown one', async () => {
    const added = addConversationUser(mock, {
      identity: 'alex@acme.example',
      friendlyName: 'Alex',
    });
    expect((await service().users('alex@acme.example').fetch()).friendlyName).toBe('Alex');
    expect((await service().users(added.sid).fetch()).identity).toBe('alex@acme.example');
    await expect(service().users('nobody').fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
  });
});
