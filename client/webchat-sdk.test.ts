/**
 * The Conversations SDK adapter (webchat-sdk.ts) against small fakes shaped
 * like `@twilio/conversations` 3.x: the real SDK needs Twilsock, which no
 * test can reach. The fakes follow the SDK's type definitions and source
 * (node_modules/@twilio/conversations/builds/lib.d.ts, dist/): `Client` and
 * `Conversation` are event emitters, `getMessages(pageSize, anchor,
 * 'backwards')` answers oldest first with `hasPrevPage` for older messages,
 * and a participant's display name comes from `participant.getUser()`.
 */
import {
  isGone,
  type ChatClient,
  type ChatClientFactory,
  type ChatConversation,
  type ChatParticipant,
  type ChatUnavailable,
  type ConnectionState,
} from './lib/chat-client';
import type { FlexWebchatApi } from './webchat';

type Listener = (...args: never[]) => void;

/**
 * The part of Node's EventEmitter the SDK's emitters are used through:
 * listeners run synchronously, in the order they were added. Hand-rolled
 * rather than `node:events`, so this file also bundles for the browser
 * (scripts/build.ts takes every top-level client/*.ts as an entry point).
 */
class EventEmitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const once = (...args: never[]) => {
      this.off(event, once);
      listener(...args);
    };
    return this.on(event, once);
  }

  off(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    const at = list.lastIndexOf(listener);
    if (at >= 0)
      this.listeners.set(
        event,
        list.filter((_, i) => i !== at),
      );
    return this;
  }

  emit(event: string, ...args: unknown[]): boolean {
    const list = this.listeners.get(event) ?? [];
    for (const listener of list) (listener as (...a: unknown[]) => void)(...args);
    return list.length > 0;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

interface MockUser {
  friendlyName: string | null;
}

interface MockParticipant {
  sid: string;
  identity: string | null;
  lastReadMessageIndex: number | null;
  getUser: jest.Mock<Promise<MockUser>, []>;
}

interface MockMedia {
  sid: string;
  filename: string | null;
  contentType: string;
  size: number;
  getContentTemporaryUrl: jest.Mock<Promise<string | null>, []>;
}

interface MockMessage {
  sid: string;
  index: number;
  author: string | null;
  body: string | null;
  dateCreated: Date | null;
  attributes: unknown;
  attachedMedia: MockMedia[] | null;
}

interface MockPage {
  items: MockMessage[];
  hasPrevPage: boolean;
  hasNextPage: boolean;
}

interface SendMediaOptions {
  contentType: string | null;
  filename: string;
  media: Blob;
}

class MockMessageBuilder {
  readonly setBody = jest.fn((_text: string) => this);
  readonly addMedia = jest.fn((_options: SendMediaOptions) => this);
  readonly send = jest.fn(() => Promise.resolve(7));
  readonly build = jest.fn(() => ({ send: this.send }));
}

class MockConversation extends EventEmitter {
  state: { current: 'active' | 'inactive' | 'closed'; dateUpdated: Date } | undefined = {
    current: 'active',
    dateUpdated: new Date(0),
  };
  readonly builder = new MockMessageBuilder();
  readonly getMessages = jest.fn(
    (_pageSize?: number, _anchor?: number, _direction?: 'backwards' | 'forward') =>
      Promise.resolve<MockPage>({ items: [], hasPrevPage: false, hasNextPage: false }),
  );
  readonly getParticipants = jest.fn(() => Promise.resolve<MockParticipant[]>([]));
  readonly sendMessage = jest.fn((_text: string) => Promise.resolve(3));
  readonly prepareMessage = jest.fn(() => this.builder);
  readonly typing = jest.fn(() => Promise.resolve());
  readonly setAllMessagesRead = jest.fn(() => Promise.resolve(0));

  constructor(readonly sid: string) {
    super();
  }
}

class MockClient extends EventEmitter {
  static readonly instances: MockClient[] = [];
  connectionState: ConnectionState = 'connecting';
  readonly getConversationBySid = jest.fn<Promise<MockConversation>, [string]>();
  readonly updateToken = jest.fn((_token: string) => Promise.resolve(this));
  readonly shutdown = jest.fn(() => Promise.resolve());

  constructor(readonly token: string) {
    super();
    MockClient.instances.push(this);
  }

  /** Like Twilsock: the state changes, then the event says so. */
  changeState(state: ConnectionState): void {
    this.connectionState = state;
    this.emit('connectionStateChanged', state);
  }
}

jest.mock('@twilio/conversations', () => ({ Client: MockClient }));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback and microtask run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What `getUser()` answers: a user, a pending lookup, or a failure. */
type UserLookup = MockUser | Promise<MockUser> | Error;

function participant(
  sid: string,
  identity: string | null,
  user: UserLookup,
  lastReadMessageIndex: number | null = null,
): MockParticipant {
  return {
    sid,
    identity,
    lastReadMessageIndex,
    getUser: jest.fn(() => (user instanceof Error ? Promise.reject(user) : Promise.resolve(user))),
  };
}

function media(sid: string, filename: string | null, contentType: string, size: number) {
  const m: MockMedia = {
    sid,
    filename,
    contentType,
    size,
    getContentTemporaryUrl: jest.fn(() =>
      Promise.resolve<string | null>(`https://mcs.example/${sid}?expires=soon`),
    ),
  };
  return m;
}

function message(index: number, fields: Partial<MockMessage> = {}): MockMessage {
  return {
    sid: `IM${index}`,
    index,
    author: 'web_abc',
    body: `message ${index}`,
    dateCreated: new Date(Date.UTC(2026, 0, 1, 10, index)),
    attributes: {},
    attachedMedia: null,
    ...fields,
  };
}

/** What the bundle hands over, in order. */
const handedOver: string[] = [];
const registerSdk = jest.fn<void, Parameters<FlexWebchatApi['registerSdk']>>(() => {
  handedOver.push('sdk');
});
const registerFormatter = jest.fn<void, Parameters<FlexWebchatApi['registerFormatter']>>(() => {
  handedOver.push('formatter');
});
const registerNotifier = jest.fn<void, Parameters<FlexWebchatApi['registerNotifier']>>(() => {
  handedOver.push('notifier');
});
let createTwilioChatClient: ChatClientFactory;

beforeAll(async () => {
  // The bundle hands its factory to the widget when it loads.
  const flexWebchat: Pick<
    FlexWebchatApi,
    'registerSdk' | 'registerFormatter' | 'registerNotifier'
  > = { registerSdk, registerFormatter, registerNotifier };
  Object.assign(globalThis, { window: { FlexWebchat: flexWebchat } });
  ({ createTwilioChatClient } = await import('./webchat-sdk'));
});

afterAll(() => {
  delete (globalThis as { window?: unknown }).window;
});

function newClient(token = 'token-1'): { chat: ChatClient; sdk: MockClient } {
  const chat = createTwilioChatClient(token);
  const sdk = MockClient.instances.at(-1)!;
  return { chat, sdk };
}

async function openConversation(sid = 'CH1') {
  const { chat, sdk } = newClient();
  const conv = new MockConversation(sid);
  sdk.getConversationBySid.mockResolvedValue(conv);
  sdk.emit('initialized');
  const conversation = await chat.conversation(sid);
  return { chat, sdk, conv, conversation };
}

async function failure(promise: Promise<unknown>): Promise<ChatUnavailable> {
  try {
    await promise;
  } catch (error) {
    return error as ChatUnavailable;
  }
  throw new Error('expected a rejection');
}

describe('loading webchat-sdk.js', () => {
  it('registers its factory with FlexWebchat.registerSdk', () => {
    expect(registerSdk).toHaveBeenCalledTimes(1);
    expect(registerSdk).toHaveBeenCalledWith(createTwilioChatClient);
  });

  it('hands over the rich-text formatter and the alerts first: no message can arrive before them', () => {
    expect(registerFormatter).toHaveBeenCalledTimes(1);
    expect(registerFormatter.mock.calls[0]?.[0].agent('**hi**')).toEqual([
      { tag: 'p', children: [{ tag: 'strong', children: ['hi'] }] },
    ]);
    expect(registerNotifier).toHaveBeenCalledTimes(1);
    expect(handedOver).toEqual(['formatter', 'notifier', 'sdk']);
  });
});

describe('TwilioChatClient', () => {
  it('starts one SDK client with the access token', () => {
    const before = MockClient.instances.length;
    const { sdk } = newClient('token-xyz');
    expect(MockClient.instances.length).toBe(before + 1);
    expect(sdk.token).toBe('token-xyz');
  });

  it('opens a conversation by SID only once the SDK has initialized', async () => {
    const { chat, sdk } = newClient();
    const conv = new MockConversation('CH42');
    sdk.getConversationBySid.mockResolvedValue(conv);
    let opened: ChatConversation | undefined;
    void chat.conversation('CH42').then((c) => (opened = c));
    await settle();
    expect(sdk.getConversationBySid).not.toHaveBeenCalled();
    expect(opened).toBeUndefined();

    sdk.emit('initialized');
    await settle();
    expect(sdk.getConversationBySid).toHaveBeenCalledWith('CH42');
    expect(opened?.sid).toBe('CH42');
  });

  it('rejects as unreachable when the SDK fails to initialize', async () => {
    const { chat, sdk } = newClient();
    const opening = chat.conversation('CH1');
    sdk.emit('initFailed', { error: { terminal: true, message: 'Twilsock has disconnected.' } });
    const error = await failure(opening);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ChatUnavailable');
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('Twilsock has disconnected.');
    expect(isGone(error)).toBe(false);
    expect(sdk.getConversationBySid).not.toHaveBeenCalled();
    // Every later call fails the same way: this client is done.
    expect((await failure(chat.conversation('CH1'))).reason).toBe('unreachable');
  });

  it('says "Chat failed to start" when initFailed carries no error', async () => {
    const { chat, sdk } = newClient();
    sdk.emit('initFailed', {});
    const error = await failure(chat.conversation('CH1'));
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('Chat failed to start');
  });

  it('ignores initFailed after initialized', async () => {
    const { chat, sdk } = newClient();
    sdk.getConversationBySid.mockResolvedValue(new MockConversation('CH1'));
    sdk.emit('initialized');
    sdk.emit('initFailed', { error: { terminal: true, message: 'late' } });
    await expect(chat.conversation('CH1')).resolves.toMatchObject({ sid: 'CH1' });
  });

  it.each<[string, unknown, 'gone' | 'unreachable', string]>([
    ['status 403', Object.assign(new Error('Forbidden'), { status: 403 }), 'gone', 'Forbidden'],
    ['status 404', Object.assign(new Error('Not Found'), { status: 404 }), 'gone', 'Not Found'],
    ['body.status 404', { body: { status: 404 } }, 'gone', 'Chat could not be opened'],
    [
      '"was not found"',
      new Error('Conversation with SID CH1 was not found.'),
      'gone',
      'Conversation with SID CH1 was not found.',
    ],
    [
      'status 401',
      Object.assign(new Error('Unauthorized'), { status: 401 }),
      'unreachable',
      'Unauthorized',
    ],
    [
      'status 500',
      Object.assign(new Error('Server error'), { status: 500 }),
      'unreachable',
      'Server error',
    ],
    ['status "404" (a string)', { status: '404' }, 'unreachable', 'Chat could not be opened'],
    ['a network error', new Error('Failed to fetch'), 'unreachable', 'Failed to fetch'],
    ['a thrown string', 'boom', 'unreachable', 'Chat could not be opened'],
    ['undefined', undefined, 'unreachable', 'Chat could not be opened'],
  ])('a getConversationBySid failure with %s is %s', async (_label, thrown, reason, text) => {
    const { chat, sdk } = newClient();
    sdk.getConversationBySid.mockRejectedValue(thrown);
    sdk.emit('initialized');
    const error = await failure(chat.conversation('CH1'));
    expect(error.name).toBe('ChatUnavailable');
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(text);
    expect(isGone(error)).toBe(reason === 'gone');
  });

  it('renews the token and shuts down through the SDK', async () => {
    const { chat, sdk } = newClient();
    await chat.updateToken('token-2');
    expect(sdk.updateToken).toHaveBeenCalledWith('token-2');
    await chat.shutdown();
    expect(sdk.shutdown).toHaveBeenCalledTimes(1);

    sdk.updateToken.mockRejectedValueOnce(new Error('bad token'));
    await expect(chat.updateToken('token-3')).rejects.toThrow('bad token');
  });

  describe('connectionStateChanged', () => {
    it('reports the current state once, asynchronously, then every change', async () => {
      const { chat, sdk } = newClient();
      sdk.connectionState = 'retrying';
      const states: ConnectionState[] = [];
      chat.on('connectionStateChanged', (state) => states.push(state));
      expect(states).toEqual([]);
      await settle();
      expect(states).toEqual(['retrying']);
      await settle();
      expect(states).toEqual(['retrying']);

      sdk.changeState('connecting');
      sdk.changeState('connected');
      expect(states).toEqual(['retrying', 'connecting', 'connected']);
    });

    it('ends with the state the client is in, even if it changed before the first report', async () => {
      const { chat, sdk } = newClient();
      const states: ConnectionState[] = [];
      chat.on('connectionStateChanged', (state) => states.push(state));
      sdk.changeState('connected');
      await settle();
      expect(states.at(-1)).toBe('connected');
    });

    it('reports a terminal connectionError as "error", and not a passing one', async () => {
      const { chat, sdk } = newClient();
      const states: ConnectionState[] = [];
      chat.on('connectionStateChanged', (state) => states.push(state));
      await settle();
      sdk.emit('connectionError', { terminal: false, message: 'retrying soon' });
      expect(states).toEqual(['connecting']);
      sdk.emit('connectionError', { terminal: true, message: 'gave up', httpStatusCode: 401 });
      expect(states).toEqual(['connecting', 'error']);
    });

    it('stops every report when unsubscribed', async () => {
      const { chat, sdk } = newClient();
      const states: ConnectionState[] = [];
      const off = chat.on('connectionStateChanged', (state) => states.push(state));
      await settle();
      off();
      sdk.changeState('connected');
      sdk.emit('connectionError', { terminal: true, message: 'gave up' });
      expect(states).toEqual(['connecting']);
      expect(sdk.listenerCount('connectionStateChanged')).toBe(0);
      expect(sdk.listenerCount('connectionError')).toBe(0);
    });

    it('does not report the initial state after an immediate unsubscribe', async () => {
      const { chat } = newClient();
      const listener = jest.fn();
      chat.on('connectionStateChanged', listener)();
      await settle();
      expect(listener).not.toHaveBeenCalled();
    });
  });

  it.each(['tokenAboutToExpire', 'tokenExpired'] as const)(
    'passes %s through, with no state report',
    async (event) => {
      const { chat, sdk } = newClient();
      const listener = jest.fn();
      const off = chat.on(event, listener);
      await settle();
      expect(listener).not.toHaveBeenCalled();
      expect(sdk.listenerCount('connectionError')).toBe(0);
      sdk.emit(event);
      expect(listener).toHaveBeenCalledTimes(1);
      off();
      sdk.emit(event);
      expect(listener).toHaveBeenCalledTimes(1);
      expect(sdk.listenerCount(event)).toBe(0);
    },
  );
});

describe('TwilioConversation', () => {
  it('has the SDK conversation SID, and its state as status (active when unknown)', async () => {
    const { conv, conversation } = await openConversation('CH7');
    expect(conversation.sid).toBe('CH7');
    expect(conversation.status).toBe('active');
    conv.state = { current: 'inactive', dateUpdated: new Date(1) };
    expect(conversation.status).toBe('inactive');
    conv.state = { current: 'closed', dateUpdated: new Date(2) };
    expect(conversation.status).toBe('closed');
    conv.state = undefined;
    expect(conversation.status).toBe('active');
  });

  describe('messages', () => {
    it('maps SDK messages, with their media', async () => {
      const { conv, conversation } = await openConversation();
      const photo = media('ME1', 'photo.jpg', 'image/jpeg', 2048);
      const note = media('ME2', null, 'text/plain', 12);
      const date = new Date('2026-03-04T05:06:07.000Z');
      conv.getMessages.mockResolvedValue({
        items: [
          message(4, {
            sid: 'IMa',
            author: 'agent@example.com',
            body: 'See attached',
            dateCreated: date,
            attributes: { kind: 'agent', nested: { a: 1 } },
            attachedMedia: [photo, note],
          }),
          message(5, { sid: 'IMb', author: null, body: null, dateCreated: null }),
        ],
        hasPrevPage: false,
        hasNextPage: false,
      });
      const page = await conversation.messages(30);
      expect(page.hasOlder).toBe(false);
      expect(page.messages).toEqual([
        {
          sid: 'IMa',
          index: 4,
          author: 'agent@example.com',
          body: 'See attached',
          dateCreated: date,
          attributes: { kind: 'agent', nested: { a: 1 } },
          media: [
            {
              sid: 'ME1',
              filename: 'photo.jpg',
              contentType: 'image/jpeg',
              size: 2048,
              url: expect.any(Function),
            },
            {
              sid: 'ME2',
              filename: null,
              contentType: 'text/plain',
              size: 12,
              url: expect.any(Function),
            },
          ],
        },
        {
          sid: 'IMb',
          index: 5,
          author: null,
          body: null,
          dateCreated: null,
          attributes: {},
          media: [],
        },
      ]);

      expect(photo.getContentTemporaryUrl).not.toHaveBeenCalled();
      await expect(page.messages[0]!.media[0]!.url()).resolves.toBe(
        'https://mcs.example/ME1?expires=soon',
      );
      expect(photo.getContentTemporaryUrl).toHaveBeenCalledTimes(1);
      expect(note.getContentTemporaryUrl).not.toHaveBeenCalled();
      // A new temporary URL each time: Twilio's expire.
      await page.messages[0]!.media[0]!.url();
      expect(photo.getContentTemporaryUrl).toHaveBeenCalledTimes(2);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['an array', ['a', 'b']],
      ['a string', 'urgent'],
      ['a number', 42],
      ['a boolean', true],
      ['undefined', undefined],
    ])('gives {} as attributes when the SDK has %s', async (_label, attributes) => {
      const { conv, conversation } = await openConversation();
      conv.getMessages.mockResolvedValue({
        items: [message(0, { attributes })],
        hasPrevPage: false,
        hasNextPage: false,
      });
      const page = await conversation.messages(30);
      expect(page.messages[0]!.attributes).toEqual({});
    });

    it('asks for the newest page backwards, and says whether older messages exist', async () => {
      const { conv, conversation } = await openConversation();
      conv.getMessages.mockResolvedValue({
        items: [message(10), message(11)],
        hasPrevPage: true,
        hasNextPage: false,
      });
      const newest = await conversation.messages(30);
      expect(conv.getMessages).toHaveBeenLastCalledWith(30, undefined, 'backwards');
      expect(newest.hasOlder).toBe(true);
      expect(newest.messages.map((m) => m.index)).toEqual([10, 11]);
    });

    it('pages older messages from the given anchor index', async () => {
      const { conv, conversation } = await openConversation();
      conv.getMessages.mockResolvedValue({
        items: [message(0), message(1), message(2)],
        hasPrevPage: false,
        hasNextPage: true,
      });
      // The anchor is the newest index to fetch (SDK: "Index of the newest
      // message to fetch"; Sync's `from` is inclusive): the controller passes
      // oldest - 1.
      const older = await conversation.messages(3, 2);
      expect(conv.getMessages).toHaveBeenCalledTimes(1);
      expect(conv.getMessages).toHaveBeenLastCalledWith(3, 2, 'backwards');
      expect(older.hasOlder).toBe(false);
      expect(older.messages.map((m) => m.index)).toEqual([0, 1, 2]);
    });

    it('emits messageAdded with the mapped message until unsubscribed', async () => {
      const { conv, conversation } = await openConversation();
      const added = jest.fn();
      const off = conversation.on('messageAdded', added);
      const photo = media('ME9', 'scan.pdf', 'application/pdf', 99);
      conv.emit('messageAdded', message(8, { attachedMedia: [photo], attributes: [1] }));
      expect(added).toHaveBeenCalledTimes(1);
      expect(added).toHaveBeenCalledWith({
        sid: 'IM8',
        index: 8,
        author: 'web_abc',
        body: 'message 8',
        dateCreated: new Date(Date.UTC(2026, 0, 1, 10, 8)),
        attributes: {},
        media: [
          {
            sid: 'ME9',
            filename: 'scan.pdf',
            contentType: 'application/pdf',
            size: 99,
            url: expect.any(Function),
          },
        ],
      });
      off();
      conv.emit('messageAdded', message(9));
      expect(added).toHaveBeenCalledTimes(1);
      expect(conv.listenerCount('messageAdded')).toBe(0);
    });
  });

  describe('participants', () => {
    it("names participants by their user's friendly name, else their identity", async () => {
      const { conv, conversation } = await openConversation();
      const agent = participant('MB1', 'agent@example.com', { friendlyName: 'Ana' }, 5);
      const unnamed = participant('MB2', 'web_abc', { friendlyName: null });
      const empty = participant('MB3', 'bot', { friendlyName: '' });
      const sms = participant('MB4', null, new Error('not a chat participant'));
      const failing = participant('MB5', 'agent2', new Error('offline'));
      conv.getParticipants.mockResolvedValue([agent, unnamed, empty, sms, failing]);
      expect(await conversation.participants()).toEqual<ChatParticipant[]>([
        { sid: 'MB1', identity: 'agent@example.com', name: 'Ana', lastReadMessageIndex: 5 },
        { sid: 'MB2', identity: 'web_abc', name: 'web_abc', lastReadMessageIndex: null },
        { sid: 'MB3', identity: 'bot', name: 'bot', lastReadMessageIndex: null },
        { sid: 'MB4', identity: null, name: '', lastReadMessageIndex: null },
        { sid: 'MB5', identity: 'agent2', name: 'agent2', lastReadMessageIndex: null },
      ]);
    });

    it('looks each user up once', async () => {
      const { conv, conversation } = await openConversation();
      const agent = participant('MB1', 'agent@example.com', { friendlyName: 'Ana' });
      conv.getParticipants.mockResolvedValue([agent]);
      await conversation.participants();
      await conversation.participants();
      const joined = jest.fn();
      conversation.on('participantJoined', joined);
      conv.emit('participantJoined', agent);
      await settle();
      expect(agent.getUser).toHaveBeenCalledTimes(1);
    });

    it('emits a participant at once, named by identity, and its name as an update later', async () => {
      const { conv, conversation } = await openConversation();
      const user = deferred<MockUser>();
      const agent = participant('MB1', 'agent@example.com', user.promise, 3);
      const joined = jest.fn();
      const updated = jest.fn();
      conversation.on('participantJoined', joined);
      conversation.on('participantUpdated', updated);

      conv.emit('participantJoined', agent);
      expect(joined).toHaveBeenCalledTimes(1);
      expect(joined).toHaveBeenCalledWith({
        sid: 'MB1',
        identity: 'agent@example.com',
        name: 'agent@example.com',
        lastReadMessageIndex: 3,
      });
      await settle();
      expect(updated).not.toHaveBeenCalled();

      user.resolve({ friendlyName: 'Ana' });
      await settle();
      expect(updated).toHaveBeenCalledTimes(1);
      expect(updated).toHaveBeenCalledWith({
        sid: 'MB1',
        identity: 'agent@example.com',
        name: 'Ana',
        lastReadMessageIndex: 3,
      });
      expect(joined).toHaveBeenCalledTimes(1);

      // Known now: later events carry the name.
      const typing = jest.fn();
      conversation.on('typingStarted', typing);
      conv.emit('typingStarted', agent);
      await settle();
      expect(typing).toHaveBeenCalledWith(expect.objectContaining({ name: 'Ana' }));
      expect(updated).toHaveBeenCalledTimes(1);
      expect(agent.getUser).toHaveBeenCalledTimes(1);
    });

    it.each(['participantJoined', 'participantLeft', 'typingStarted', 'typingEnded'] as const)(
      'passes the SDK conversation event %s on as itself, and only it',
      async (sdkEvent) => {
        const { conv, conversation } = await openConversation();
        const agent = participant('MB1', 'agent', { friendlyName: 'agent' }, 2);
        const seen: [string, ChatParticipant][] = [];
        for (const event of [
          'participantJoined',
          'participantLeft',
          'typingStarted',
          'typingEnded',
        ] as const) {
          conversation.on(event, (p) => seen.push([event, p]));
        }
        conv.emit(sdkEvent, agent);
        await settle();
        expect(seen).toEqual([
          [sdkEvent, { sid: 'MB1', identity: 'agent', name: 'agent', lastReadMessageIndex: 2 }],
        ]);
      },
    );

    it('keeps the SDK order of participant and message events', async () => {
      const { conv, conversation } = await openConversation();
      const agent = participant('MB1', 'agent', { friendlyName: 'Ana' });
      const order: string[] = [];
      conversation.on('participantJoined', (p) => order.push(`joined ${p.name}`));
      conversation.on('messageAdded', (m) => order.push(`message ${m.index}`));
      conversation.on('typingStarted', (p) => order.push(`typing ${p.name}`));
      conv.emit('participantJoined', agent);
      conv.emit('messageAdded', message(1, { author: 'agent' }));
      await settle();
      conv.emit('typingStarted', agent);
      conv.emit('messageAdded', message(2, { author: 'agent' }));
      await settle();
      expect(order).toEqual(['joined agent', 'message 1', 'typing Ana', 'message 2']);
    });

    it('does not hold events back while a name is being looked up', async () => {
      const { conv, conversation } = await openConversation();
      const never = new Promise<MockUser>(() => undefined);
      const agent = participant('MB1', 'agent', never);
      const events: string[] = [];
      for (const event of ['typingStarted', 'typingEnded', 'participantLeft'] as const) {
        conversation.on(event, (p) => events.push(`${event} ${p.name}`));
      }
      conv.emit('typingStarted', agent);
      conv.emit('typingEnded', agent);
      conv.emit('participantLeft', agent);
      await settle();
      expect(events).toEqual(['typingStarted agent', 'typingEnded agent', 'participantLeft agent']);
      expect(agent.getUser).toHaveBeenCalledTimes(1);
    });

    it('sends one name update per participant, to every participantUpdated listener', async () => {
      const { conv, conversation } = await openConversation();
      const user = deferred<MockUser>();
      const agent = participant('MB1', 'agent', user.promise);
      const first = jest.fn();
      const second = jest.fn();
      conversation.on('participantUpdated', first);
      conversation.on('participantUpdated', second);
      conversation.on('participantJoined', () => undefined);
      conversation.on('typingStarted', () => undefined);
      conv.emit('participantJoined', agent);
      conv.emit('typingStarted', agent);
      conv.emit('typingStarted', agent);
      user.resolve({ friendlyName: 'Ana' });
      await settle();
      expect(first.mock.calls).toEqual([[expect.objectContaining({ sid: 'MB1', name: 'Ana' })]]);
      expect(second.mock.calls).toEqual([[expect.objectContaining({ sid: 'MB1', name: 'Ana' })]]);
      expect(agent.getUser).toHaveBeenCalledTimes(1);
    });

    it('names a participant resolved by an earlier participants() call without an update', async () => {
      const { conv, conversation } = await openConversation();
      const user = deferred<MockUser>();
      const agent = participant('MB1', 'agent', user.promise);
      conv.getParticipants.mockResolvedValue([agent]);
      const list = conversation.participants();
      const joined = jest.fn();
      const updated = jest.fn();
      conversation.on('participantJoined', joined);
      conversation.on('participantUpdated', updated);
      // The lookup started by participants() is still running.
      conv.emit('participantJoined', agent);
      expect(joined).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'agent' }));
      user.resolve({ friendlyName: 'Ana' });
      expect(await list).toEqual([expect.objectContaining({ name: 'Ana' })]);
      await settle();
      // The joined event went out with the identity: the name follows.
      expect(updated.mock.calls).toEqual([[expect.objectContaining({ name: 'Ana' })]]);

      conv.emit('participantJoined', agent);
      expect(joined).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'Ana' }));
      await settle();
      expect(updated).toHaveBeenCalledTimes(1);
      expect(agent.getUser).toHaveBeenCalledTimes(1);
    });

    it.each<[string, UserLookup, string | null]>([
      ['no friendly name', { friendlyName: null }, 'agent'],
      ['an empty friendly name', { friendlyName: '' }, 'agent'],
      ['the identity as friendly name', { friendlyName: 'agent' }, 'agent'],
      ['a failed lookup', new Error('offline'), 'agent'],
      ['a failed lookup and no identity', new Error('not a chat participant'), null],
    ])('sends no name update for %s', async (_label, user, identity) => {
      const { conv, conversation } = await openConversation();
      const agent = participant('MB1', identity, user);
      const joined = jest.fn();
      const updated = jest.fn();
      conversation.on('participantJoined', joined);
      conversation.on('participantUpdated', updated);
      conv.emit('participantJoined', agent);
      await settle();
      expect(joined).toHaveBeenCalledWith(expect.objectContaining({ name: identity ?? '' }));
      expect(updated).not.toHaveBeenCalled();
    });

    it("unwraps the SDK's participantUpdated payload", async () => {
      const { conv, conversation } = await openConversation();
      const agent = participant('MB1', 'agent', { friendlyName: 'Ana' }, 9);
      conv.getParticipants.mockResolvedValue([agent]);
      await conversation.participants();
      const updated = jest.fn();
      conversation.on('participantUpdated', updated);
      conv.emit('participantUpdated', {
        participant: agent,
        updateReasons: ['lastReadMessageIndex'],
      });
      await settle();
      expect(updated.mock.calls).toEqual([
        [{ sid: 'MB1', identity: 'agent', name: 'Ana', lastReadMessageIndex: 9 }],
      ]);
    });

    it('stops name updates and events when unsubscribed', async () => {
      const { conv, conversation } = await openConversation();
      const user = deferred<MockUser>();
      const agent = participant('MB1', 'agent', user.promise);
      const joined = jest.fn();
      const updated = jest.fn();
      const offJoined = conversation.on('participantJoined', joined);
      const offUpdated = conversation.on('participantUpdated', updated);
      conv.emit('participantJoined', agent);
      offUpdated();
      user.resolve({ friendlyName: 'Ana' });
      await settle();
      expect(updated).not.toHaveBeenCalled();
      offJoined();
      conv.emit('participantJoined', agent);
      await settle();
      expect(joined).toHaveBeenCalledTimes(1);
      expect(conv.listenerCount('participantJoined')).toBe(0);
      expect(conv.listenerCount('participantUpdated')).toBe(0);
    });
  });

  describe('status and removal', () => {
    it('emits statusChanged when the state changes, not for other updates', async () => {
      const { conv, conversation } = await openConversation();
      const status = jest.fn();
      const off = conversation.on('statusChanged', status);
      conv.emit('updated', { conversation: conv, updateReasons: ['attributes', 'dateUpdated'] });
      expect(status).not.toHaveBeenCalled();
      conv.state = { current: 'inactive', dateUpdated: new Date(3) };
      conv.emit('updated', { conversation: conv, updateReasons: ['state', 'dateUpdated'] });
      expect(status.mock.calls).toEqual([['inactive']]);
      conv.state = undefined;
      conv.emit('updated', { conversation: conv, updateReasons: ['state'] });
      expect(status.mock.calls).toEqual([['inactive'], ['active']]);
      off();
      conv.state = { current: 'closed', dateUpdated: new Date(4) };
      conv.emit('updated', { conversation: conv, updateReasons: ['state'] });
      expect(status).toHaveBeenCalledTimes(2);
    });

    it('emits removed when the client leaves this conversation, not another', async () => {
      const { sdk, conversation } = await openConversation('CH1');
      const removed = jest.fn();
      const off = conversation.on('removed', removed);
      sdk.emit('conversationLeft', new MockConversation('CH2'));
      expect(removed).not.toHaveBeenCalled();
      sdk.emit('conversationLeft', new MockConversation('CH1'));
      expect(removed).toHaveBeenCalledTimes(1);
      expect(removed).toHaveBeenCalledWith();
      off();
      sdk.emit('conversationLeft', new MockConversation('CH1'));
      expect(removed).toHaveBeenCalledTimes(1);
      expect(sdk.listenerCount('conversationLeft')).toBe(0);
    });
  });

  describe('sending', () => {
    it('sends text', async () => {
      const { conv, conversation } = await openConversation();
      await conversation.send('Hello there');
      expect(conv.sendMessage).toHaveBeenCalledWith('Hello there');
      conv.sendMessage.mockRejectedValueOnce(new Error('rate limited'));
      await expect(conversation.send('again')).rejects.toThrow('rate limited');
    });

    it.each<[string, string, string | null]>([
      // From the extension, which wins over the browser's guess.
      ['photo.JPG', 'application/octet-stream', 'image/jpeg'],
      ['voice.amr', '', 'audio/amr'],
      ['scan.heic', 'image/heif', 'image/heic'],
      // Else the Blob's own type, else none.
      ['README', 'text/markdown', 'text/markdown'],
      ['data.csv', 'text/csv', 'text/csv'],
      ['unknown', '', null],
    ])('sends %s (Blob type "%s") as %s', async (filename, blobType, contentType) => {
      const { conv, conversation } = await openConversation();
      const file = new Blob(['abc'], { type: blobType });
      await conversation.sendMedia(file, filename);
      const { builder } = conv;
      expect(builder.addMedia).toHaveBeenCalledTimes(1);
      expect(builder.addMedia).toHaveBeenCalledWith({ contentType, filename, media: file });
      expect(builder.addMedia.mock.calls[0]![0].media).toBe(file);
      expect(builder.setBody).not.toHaveBeenCalled();
      expect(builder.build).toHaveBeenCalledTimes(1);
      expect(builder.send).toHaveBeenCalledTimes(1);
    });

    it('sends a file with text as one message, and only non-empty text', async () => {
      const { conv, conversation } = await openConversation();
      const file = new Blob(['%PDF'], { type: 'application/pdf' });
      await conversation.sendMedia(file, 'invoice.pdf', 'Here it is');
      expect(conv.prepareMessage).toHaveBeenCalledTimes(1);
      expect(conv.builder.setBody).toHaveBeenCalledWith('Here it is');
      expect(conv.builder.setBody.mock.invocationCallOrder[0]).toBeLessThan(
        conv.builder.build.mock.invocationCallOrder[0]!,
      );
      expect(conv.builder.addMedia).toHaveBeenCalledWith({
        contentType: 'application/pdf',
        filename: 'invoice.pdf',
        media: file,
      });

      const other = await openConversation();
      await other.conversation.sendMedia(file, 'invoice.pdf', '');
      expect(other.conv.builder.setBody).not.toHaveBeenCalled();
    });

    it('waits for the upload and passes its failure on', async () => {
      const { conv, conversation } = await openConversation();
      const upload = deferred<number>();
      conv.builder.send.mockReturnValueOnce(upload.promise);
      let done = false;
      const sending = conversation.sendMedia(new Blob(['x']), 'a.txt').then(() => (done = true));
      await settle();
      expect(done).toBe(false);
      upload.resolve(8);
      await sending;
      expect(done).toBe(true);

      conv.builder.send.mockRejectedValueOnce(new Error('too large'));
      await expect(conversation.sendMedia(new Blob(['x']), 'a.txt')).rejects.toThrow('too large');
    });

    it('signals typing and swallows its failure', async () => {
      const { conv, conversation } = await openConversation();
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        conv.typing.mockRejectedValueOnce(new Error('offline'));
        expect(conversation.typing()).toBeUndefined();
        expect(conv.typing).toHaveBeenCalledTimes(1);
        await settle();
        await settle();
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });

    it('marks all messages read', async () => {
      const { conv, conversation } = await openConversation();
      await conversation.markAllRead();
      expect(conv.setAllMessagesRead).toHaveBeenCalledTimes(1);
    });
  });
});
