/**
 * Conversations API (service-scoped): conversations with participants,
 * scoped webhooks, messages. Faithful where it matters to us: unique names,
 * lookup by SID or unique name, 404s for what is gone, the five-webhook
 * limit per conversation, deletion taking children with it; a participant's
 * conversations by identity (ParticipantConversations, paged as Twilio pages
 * it: at most 50 a page); messages paged as Twilio pages them (at most 100
 * a page, `next_page_url` while more remain); and the limit of 1,000
 * conversations per identity.
 */
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { listMeta, now } from './common';

export interface MockConversation {
  sid: string;
  serviceSid: string;
  uniqueName: string | null;
  friendlyName: string | null;
  attributes: string;
  timers: { inactive?: string; closed?: string };
  state: string;
  participants: MockParticipant[];
  webhooks: MockWebhook[];
  messages: MockMessage[];
  /** ISO times; "now" when unset (tests set them to order conversations). */
  dateCreated?: string;
  dateUpdated?: string;
}

export interface MockParticipant {
  sid: string;
  identity: string | null;
  attributes: string;
}

export interface MockWebhook {
  sid: string;
  target: string;
  url?: string;
  method?: string;
  filters: string[];
  flowSid?: string;
}

export interface MockMessage {
  sid: string;
  index: number;
  author: string;
  body: string | null;
  attributes: string;
  webhookEnabled: boolean;
  /** Media SIDs (`MediaSid`, ME…): Twilio answers one object per medium. */
  media?: string[];
  /** ISO time; `DateCreated` when given (Twilio takes it for imports), else now. */
  dateCreated?: string;
}

/** All conversations the mock holds, by SID. */
export function conversations(mock: TwilioMock): Map<string, MockConversation> {
  let map = mock.state.get('conversations') as Map<string, MockConversation> | undefined;
  if (!map) {
    map = new Map();
    mock.state.set('conversations', map);
  }
  return map;
}

/** Finds a conversation by SID or unique name, like Twilio's path lookup. */
export function findConversation(
  mock: TwilioMock,
  serviceSid: string,
  sidOrName: string,
): MockConversation | undefined {
  for (const c of conversations(mock).values()) {
    if (c.serviceSid === serviceSid && (c.sid === sidOrName || c.uniqueName === sidOrName))
      return c;
  }
  return undefined;
}

const base = 'https://conversations.twilio.com/v1';

/**
 * Twilio's Conversations limits: "A Chat identity (Chat user) can be part of
 * 1000 active or inactive Conversations" (closed ones do not count); adding
 * it to one more is refused with error 50214 ("User conversation limit
 * exceeded"). Twilio's page gives no HTTP status: 400, as for its other
 * refused participant adds, is this fake's choice (the service matches on
 * the code).
 */
export const CONVERSATIONS_PER_IDENTITY = 1000;
export const USER_CONVERSATION_LIMIT_CODE = 50214;

/** The refusal for adding `identity` to one more conversation, if it is at the limit. */
export function identityLimitRefusal(
  mock: TwilioMock,
  serviceSid: string,
  identity: string | null | undefined,
  code = USER_CONVERSATION_LIMIT_CODE,
) {
  if (!identity) return undefined;
  let open = 0;
  for (const c of conversations(mock).values()) {
    if (c.serviceSid !== serviceSid || c.state === 'closed') continue;
    if (c.participants.some((p) => p.identity === identity)) open++;
  }
  if (open < CONVERSATIONS_PER_IDENTITY) return undefined;
  return twilioError(400, code, 'User conversation limit exceeded');
}

/** ParticipantConversations pages: Twilio's maximum (and default) PageSize is 50. */
const PARTICIPANT_CONVERSATIONS_PAGE = 50;

function conversationJson(c: MockConversation) {
  const url = `${base}/Services/${c.serviceSid}/Conversations/${c.sid}`;
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: c.serviceSid,
    messaging_service_sid: null,
    sid: c.sid,
    friendly_name: c.friendlyName,
    unique_name: c.uniqueName,
    attributes: c.attributes,
    state: c.state,
    date_created: c.dateCreated ?? now(),
    date_updated: c.dateUpdated ?? now(),
    timers: {
      ...(c.timers.inactive && { date_inactive: now() }),
      ...(c.timers.closed && { date_closed: now() }),
    },
    links: {
      participants: `${url}/Participants`,
      messages: `${url}/Messages`,
      webhooks: `${url}/Webhooks`,
    },
    bindings: null,
    url,
  };
}

function participantJson(c: MockConversation, p: MockParticipant) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: p.sid,
    identity: p.identity,
    attributes: p.attributes,
    messaging_binding: null,
    role_sid: null,
    date_created: now(),
    date_updated: now(),
    url: `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Participants/${p.sid}`,
    last_read_message_index: null,
    last_read_timestamp: null,
  };
}

function webhookJson(c: MockConversation, w: MockWebhook) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: w.sid,
    target: w.target,
    url: `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Webhooks/${w.sid}`,
    configuration: {
      ...(w.url && { url: w.url, method: w.method ?? 'POST' }),
      ...(w.flowSid && { flow_sid: w.flowSid }),
      filters: w.filters,
    },
    date_created: now(),
    date_updated: now(),
  };
}

function messageJson(c: MockConversation, m: MockMessage) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: m.sid,
    index: m.index,
    author: m.author,
    body: m.body,
    media: m.media?.length
      ? m.media.map((mediaSid) => ({
          sid: mediaSid,
          content_type: 'image/png',
          filename: `${mediaSid}.png`,
          size: 1024,
        }))
      : null,
    attributes: m.attributes,
    participant_sid: null,
    date_created: m.dateCreated ?? now(),
    date_updated: now(),
    delivery: null,
    url: `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Messages/${m.sid}`,
    links: {},
    content_sid: null,
  };
}

/**
 * Messages pages, as Twilio pages them: `Order` (asc, the default, or desc),
 * `PageSize` (default 50, at most 100: the spec refuses more), and
 * `meta.next_page_url` with an opaque `PageToken` while more remain, `null`
 * on the last page. `Page` is only the client's count, as the spec says; the
 * token says where the page starts (here `PT` + the position in the order).
 */
export const MESSAGES_PAGE_MAX = 100;

function messagesPage(c: MockConversation, input: RouteInput) {
  const order = input.query.Order?.[0]?.toLowerCase() === 'desc' ? 'desc' : 'asc';
  const pageSize = Math.min(MESSAGES_PAGE_MAX, Number(input.query.PageSize?.[0] ?? 50));
  const page = Number(input.query.Page?.[0] ?? 0);
  const token = input.query.PageToken?.[0];
  const start = token === undefined ? 0 : Number(/^PT(\d+)$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(start)) return twilioError(400, 20001, `Invalid PageToken: ${token}`);
  const ordered = order === 'desc' ? [...c.messages].reverse() : c.messages;
  const url = `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Messages`;
  const query = (n: number, at?: number) =>
    `Order=${order}&PageSize=${pageSize}&Page=${n}` + (at ? `&PageToken=PT${at}` : '');
  const end = start + pageSize;
  return {
    status: 200,
    body: {
      messages: ordered.slice(start, end).map((m) => messageJson(c, m)),
      meta: {
        ...listMeta(url, 'messages'),
        page,
        page_size: pageSize,
        first_page_url: `${url}?${query(0)}`,
        url: `${url}?${query(page, start)}`,
        previous_page_url:
          page > 0 ? `${url}?${query(page - 1, Math.max(0, start - pageSize))}` : null,
        next_page_url: end < ordered.length ? `${url}?${query(page + 1, end)}` : null,
      },
    },
  };
}

function notFound(path: string) {
  return twilioError(404, 20404, `The requested resource ${path} was not found`);
}

function withConversation(
  mock: TwilioMock,
  input: RouteInput,
  then: (c: MockConversation) => ReturnType<typeof notFound>,
) {
  const c = findConversation(mock, input.params.serviceSid ?? '', input.params.sid ?? '');
  return c ? then(c) : notFound(`/Conversations/${input.params.sid}`);
}

export function installConversationRoutes(mock: TwilioMock): void {
  const svc = 'conversations.twilio.com/v1/Services/:serviceSid';

  mock.route('conversations.create', 'POST', `${svc}/ConversationWithParticipants`, (input) => {
    const serviceSid = input.params.serviceSid ?? '';
    const uniqueName = field(input, 'UniqueName') ?? null;
    if (uniqueName !== null && findConversation(mock, serviceSid, uniqueName)) {
      return twilioError(409, 50353, 'Conversation with provided unique name already exists');
    }
    for (const json of input.form.Participant ?? []) {
      const identity = (JSON.parse(json) as { identity?: string }).identity;
      const refused = identityLimitRefusal(mock, serviceSid, identity);
      if (refused) return refused;
    }
    const c: MockConversation = {
      sid: sid('CH'),
      serviceSid,
      uniqueName,
      friendlyName: field(input, 'FriendlyName') ?? null,
      attributes: field(input, 'Attributes') ?? '{}',
      timers: {
        ...(field(input, 'Timers.Inactive') && { inactive: field(input, 'Timers.Inactive') }),
        ...(field(input, 'Timers.Closed') && { closed: field(input, 'Timers.Closed') }),
      },
      state: field(input, 'State') ?? 'active',
      participants: (input.form.Participant ?? []).map((json) => {
        const p = JSON.parse(json) as { identity?: string; attributes?: string };
        return { sid: sid('MB'), identity: p.identity ?? null, attributes: p.attributes ?? '{}' };
      }),
      webhooks: [],
      messages: [],
      dateCreated: now(), // kept: a conversation ages (src/customer/continuity.ts reads it)
    };
    conversations(mock).set(c.sid, c);
    return { status: 201, body: conversationJson(c) };
  });

  mock.route('conversations.fetch', 'GET', `${svc}/Conversations/:sid`, (input) =>
    withConversation(mock, input, (c) => ({ status: 200, body: conversationJson(c) })),
  );

  mock.route('conversations.update', 'POST', `${svc}/Conversations/:sid`, (input) =>
    withConversation(mock, input, (c) => {
      const attributes = field(input, 'Attributes');
      if (attributes !== undefined) c.attributes = attributes;
      const state = field(input, 'State');
      if (state !== undefined) c.state = state;
      if (c.dateUpdated !== undefined) c.dateUpdated = now();
      return { status: 200, body: conversationJson(c) };
    }),
  );

  mock.route('conversations.delete', 'DELETE', `${svc}/Conversations/:sid`, (input) =>
    withConversation(mock, input, (c) => {
      conversations(mock).delete(c.sid);
      return { status: 204 };
    }),
  );

  mock.route('webhooks.create', 'POST', `${svc}/Conversations/:sid/Webhooks`, (input) =>
    withConversation(mock, input, (c) => {
      if (c.webhooks.length >= 5) {
        return twilioError(400, 50515, 'Maximum number of webhooks per conversation reached');
      }
      const w: MockWebhook = {
        sid: sid('WH'),
        target: field(input, 'Target') ?? '',
        filters: input.form['Configuration.Filters'] ?? [],
        ...(field(input, 'Configuration.Url') && { url: field(input, 'Configuration.Url') }),
        ...(field(input, 'Configuration.Method') && {
          method: field(input, 'Configuration.Method'),
        }),
        ...(field(input, 'Configuration.FlowSid') && {
          flowSid: field(input, 'Configuration.FlowSid'),
        }),
      };
      c.webhooks.push(w);
      return { status: 201, body: webhookJson(c, w) };
    }),
  );

  mock.route('webhooks.list', 'GET', `${svc}/Conversations/:sid/Webhooks`, (input) =>
    withConversation(mock, input, (c) => ({
      status: 200,
      body: {
        webhooks: c.webhooks.map((w) => webhookJson(c, w)),
        meta: listMeta(
          `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Webhooks`,
          'webhooks',
        ),
      },
    })),
  );

  mock.route(
    'webhooks.delete',
    'DELETE',
    `${svc}/Conversations/:sid/Webhooks/:webhookSid`,
    (input) =>
      withConversation(mock, input, (c) => {
        const index = c.webhooks.findIndex((w) => w.sid === input.params.webhookSid);
        if (index < 0) return notFound(`/Webhooks/${input.params.webhookSid}`);
        c.webhooks.splice(index, 1);
        return { status: 204 };
      }),
  );

  mock.route('messages.create', 'POST', `${svc}/Conversations/:sid/Messages`, (input) =>
    withConversation(mock, input, (c) => {
      if (c.state === 'closed') return twilioError(400, 50437, 'The conversation is closed');
      const m: MockMessage = {
        sid: sid('IM'),
        index: c.messages.length,
        author: field(input, 'Author') ?? 'system',
        body: field(input, 'Body') ?? null,
        attributes: field(input, 'Attributes') ?? '{}',
        webhookEnabled: input.headers['x-twilio-webhook-enabled'] === 'true',
        ...(input.form.MediaSid && { media: input.form.MediaSid }),
        ...(field(input, 'DateCreated') && { dateCreated: field(input, 'DateCreated') }),
      };
      c.messages.push(m);
      return { status: 201, body: messageJson(c, m) };
    }),
  );

  mock.route('messages.list', 'GET', `${svc}/Conversations/:sid/Messages`, (input) =>
    withConversation(mock, input, (c) => messagesPage(c, input)),
  );

  mock.route('participants.list', 'GET', `${svc}/Conversations/:sid/Participants`, (input) =>
    withConversation(mock, input, (c) => ({
      status: 200,
      body: {
        participants: c.participants.map((p) => participantJson(c, p)),
        meta: listMeta(
          `${base}/Services/${c.serviceSid}/Conversations/${c.sid}/Participants`,
          'participants',
        ),
      },
    })),
  );

  // A participant's conversations, by identity: what /refresh-token reads to
  // know whether the customer's chat is still open, and /start-chat to find a
  // signed-in customer's chat in progress. Paged like Twilio: `PageSize` (at
  // most 50), then `next_page_url` with `Page` and `PageToken`. Sorted as
  // Twilio's docs say, "by the conversationSid alphabetically" (not by date).
  // Closed conversations are listed too.
  mock.route('participantConversations.list', 'GET', `${svc}/ParticipantConversations`, (input) => {
    const serviceSid = input.params.serviceSid ?? '';
    const identity = input.query.Identity?.[0];
    const found = [...conversations(mock).values()].flatMap((c) =>
      c.serviceSid === serviceSid
        ? c.participants
            .filter((p) => identity !== undefined && p.identity === identity)
            .map((p) => participantConversationJson(c, p))
        : [],
    );
    found.sort((a, b) => (a.conversation_sid < b.conversation_sid ? -1 : 1));
    const pageSize = Math.min(
      PARTICIPANT_CONVERSATIONS_PAGE,
      Number(input.query.PageSize?.[0] ?? PARTICIPANT_CONVERSATIONS_PAGE),
    );
    const page = Number(input.query.Page?.[0] ?? 0);
    const url = `${base}/Services/${serviceSid}/ParticipantConversations`;
    const query = (n: number) =>
      `Identity=${encodeURIComponent(identity ?? '')}&PageSize=${pageSize}&Page=${n}`;
    const more = (page + 1) * pageSize < found.length;
    return {
      status: 200,
      body: {
        conversations: found.slice(page * pageSize, (page + 1) * pageSize),
        meta: {
          ...listMeta(url, 'conversations'),
          page,
          page_size: pageSize,
          first_page_url: `${url}?${query(0)}`,
          url: `${url}?${query(page)}`,
          previous_page_url: page > 0 ? `${url}?${query(page - 1)}&PageToken=PB${page}` : null,
          next_page_url: more ? `${url}?${query(page + 1)}&PageToken=PA${page + 1}` : null,
        },
      },
    };
  });
}

function participantConversationJson(c: MockConversation, p: MockParticipant) {
  const url = `${base}/Services/${c.serviceSid}/Conversations/${c.sid}`;
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: c.serviceSid,
    participant_sid: p.sid,
    participant_user_sid: null,
    participant_identity: p.identity,
    participant_messaging_binding: null,
    conversation_sid: c.sid,
    conversation_unique_name: c.uniqueName,
    conversation_friendly_name: c.friendlyName,
    conversation_attributes: c.attributes,
    conversation_date_created: c.dateCreated ?? now(),
    conversation_date_updated: c.dateUpdated ?? now(),
    conversation_created_by: 'system',
    conversation_state: c.state,
    conversation_timers: {},
    links: { participant: `${url}/Participants/${p.sid}`, conversation: url },
  };
}
