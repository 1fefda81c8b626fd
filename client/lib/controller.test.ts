import { ApiError, type Api, type StartedChat } from './api';
import type {
  ChatClient,
  ChatConversation,
  ChatMessage,
  ClientEvents,
  ConversationEvents,
} from './chat-client';
import { ChatController, TYPING_INTERVAL_MS } from './controller';
import { SessionStore } from './session-store';

const IDENTITY = 'web_abc_' + '1'.repeat(32);
const STARTED: StartedChat = {
  conversationSid: 'CH1',
  identity: IDENTITY,
  token: 'token-1',
  expiresAt: '2026-11-21T11:00:00.000Z',
};

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

type Handlers = Map<string, Set<(value: unknown) => void>>;
const emitter = (handlers: Handlers) => ({
  on(event: string, listener: (value: unknown) => void) {
    const set = handlers.get(event) ?? new Set();
    set.add(listener);
    handlers.set(event, set);
    return () => set.delete(listener);
  },
  emit(event: string, value?: unknown) {
    for (const listener of handlers.get(event) ?? []) listener(value);
  },
});

function message(index: number, author = 'alex@co.example'): ChatMessage {
  return {
    sid: `IM${index}`,
    index,
    author,
    body: `m${index}`,
    dateCreated: new Date(),
    media: [],
    attributes: {},
  };
}

function fakeWorld(history: ChatMessage[] = []) {
  const conversationEvents = emitter(new Map());
  const clientEvents = emitter(new Map());
  const calls = {
    typing: 0,
    read: 0,
    sent: [] as string[],
    pages: [] as (number | undefined)[],
    tokens: [] as string[],
    shutdowns: 0,
  };
  let failConversation = false;
  const conversation: ChatConversation = {
    sid: 'CH1',
    status: 'active',
    messages: (pageSize, beforeIndex) => {
      calls.pages.push(beforeIndex);
      const all = history.filter((m) => beforeIndex === undefined || m.index <= beforeIndex);
      const page = all.slice(-pageSize);
      return Promise.resolve({ messages: page, hasOlder: all.length > page.length });
    },
    participants: () => Promise.resolve([]),
    send: (text) => {
      calls.sent.push(text);
      return Promise.resolve();
    },
    sendMedia: () => Promise.resolve(),
    typing: () => void calls.typing++,
    markAllRead: () => {
      calls.read++;
      return Promise.resolve();
    },
    on: <E extends keyof ConversationEvents>(e: E, l: ConversationEvents[E]) =>
      conversationEvents.on(e, l as (v: unknown) => void),
  };
  const factory = (token: string): ChatClient => {
    calls.tokens.push(token);
    return {
      conversation: () =>
        failConversation ? Promise.reject(new Error('gone')) : Promise.resolve(conversation),
      updateToken: (t) => {
        calls.tokens.push(t);
        return Promise.resolve();
      },
      on: <E extends keyof ClientEvents>(e: E, l: ClientEvents[E]) =>
        clientEvents.on(e, l as (v: unknown) => void),
      shutdown: () => {
        calls.shutdowns++;
        return Promise.resolve();
      },
    };
  };
  return {
    calls,
    conversationEvents,
    clientEvents,
    factory,
    failConversation: () => (failConversation = true),
  };
}

function setup(history: ChatMessage[] = [], api: Partial<Api> = {}) {
  const world = fakeWorld(history);
  const storage = new MemoryStorage();
  const sessions = new SessionStore(storage as unknown as Storage, 'https://s.twil.io/start-chat');
  const apiCalls = { refresh: 0, end: 0 };
  let now = 1_000_000;
  const chat = new ChatController({
    api: {
      startChat: () => Promise.resolve(STARTED),
      refreshToken: () => {
        apiCalls.refresh++;
        return Promise.resolve({
          identity: IDENTITY,
          token: `token-${apiCalls.refresh + 1}`,
          expiresAt: 'x',
        });
      },
      endChat: () => {
        apiCalls.end++;
        return Promise.resolve({ ended: true, alreadyEnded: false });
      },
      ...api,
    },
    sessions,
    clientFactory: () => Promise.resolve(world.factory),
    now: () => now,
  });
  return { chat, world, sessions, storage, apiCalls, tick: (ms: number) => (now += ms) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ChatController', () => {
  it('starts: stores the session, connects with the token, loads history', async () => {
    const { chat, world, sessions } = setup([message(0)]);
    await chat.start({ friendlyName: 'Ana', preEngagement: {} });
    expect(chat.state.phase).toBe('chat');
    expect(chat.state.identity).toBe(IDENTITY);
    expect(chat.state.messages.size).toBe(1);
    expect(world.calls.tokens).toEqual(['token-1']);
    expect(sessions.load()).toEqual(STARTED);
  });

  it('shows why a start failed, and stays on the form', async () => {
    const { chat } = setup([], {
      startChat: () =>
        Promise.reject(
          new ApiError(503, 'not_configured', 'x', [{ field: 'API_KEY', problem: 'is required' }]),
        ),
    });
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('form');
    expect(chat.state.startError).toEqual({
      code: 'not_configured',
      message: 'x',
      fields: [{ field: 'API_KEY', problem: 'is required' }],
    });
  });

  it('resumes a stored chat with a renewed token', async () => {
    const { chat, world, sessions } = setup([message(0)]);
    sessions.save(STARTED);
    expect(await chat.resume()).toBe(true);
    expect(world.calls.tokens).toEqual(['token-2']);
    expect(chat.state.phase).toBe('chat');
    expect(sessions.load()?.token).toBe('token-2');
  });

  it('forgets a stored chat the service will not renew', async () => {
    const { chat, sessions } = setup([], {
      refreshToken: () => Promise.reject(new ApiError(403, 'session_expired', 'x')),
    });
    sessions.save(STARTED);
    await chat.resume();
    expect(chat.state.phase).toBe('form');
    expect(sessions.load()).toBeUndefined();
  });

  it('keeps a stored chat while offline, and resumes once back online', async () => {
    let offline = true;
    const { chat, world, sessions } = setup([], {
      refreshToken: () =>
        offline
          ? Promise.reject(new ApiError(0, 'network', 'x'))
          : Promise.resolve({ identity: IDENTITY, token: 'token-9', expiresAt: 'x' }),
    });
    sessions.save(STARTED);
    await chat.resume();
    expect(chat.state.phase).toBe('resuming');
    expect(sessions.load()).toEqual(STARTED);
    offline = false;
    chat.setOnline(true);
    await settle();
    await settle();
    expect(chat.state.phase).toBe('chat');
    expect(world.calls.tokens).toEqual(['token-9']);
  });

  it('renews the token once, however many times the SDK asks at once', async () => {
    const { chat, world, apiCalls } = setup();
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('tokenAboutToExpire');
    world.clientEvents.emit('tokenAboutToExpire');
    world.clientEvents.emit('tokenExpired');
    await settle();
    expect(apiCalls.refresh).toBe(1);
    expect(world.calls.tokens).toEqual(['token-1', 'token-2']);
  });

  it('ends the session when a renewal is refused', async () => {
    const { chat, world, sessions } = setup([], {
      refreshToken: () => Promise.reject(new ApiError(401, 'token_expired', 'x')),
    });
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('tokenExpired');
    await settle();
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'expired' });
    expect(sessions.load()).toBeUndefined();
    expect(world.calls.shutdowns).toBe(1);
  });

  it('signals typing at most every few seconds', async () => {
    const { chat, world, tick } = setup();
    await chat.start({ preEngagement: {} });
    chat.typing();
    chat.typing();
    tick(TYPING_INTERVAL_MS - 1);
    chat.typing();
    expect(world.calls.typing).toBe(1);
    tick(1);
    chat.typing();
    expect(world.calls.typing).toBe(2);
  });

  it('marks messages read only while the panel is open and the page visible', async () => {
    const { chat, world } = setup();
    await chat.start({ preEngagement: {} });
    world.conversationEvents.emit('messageAdded', message(0));
    expect(world.calls.read).toBe(0);
    chat.open();
    expect(world.calls.read).toBe(1);
    expect(chat.state.readIndex).toBe(0);
    chat.setVisible(false);
    world.conversationEvents.emit('messageAdded', message(1));
    expect(world.calls.read).toBe(1);
    chat.setVisible(true);
    expect(world.calls.read).toBe(2);
  });

  it('pages back from the oldest message it has', async () => {
    const history = Array.from({ length: 45 }, (_, i) => message(i));
    const { chat, world } = setup(history);
    await chat.start({ preEngagement: {} });
    expect(chat.state.hasOlder).toBe(true);
    await chat.loadOlder();
    expect(world.calls.pages).toEqual([undefined, 14]);
    expect(chat.state.messages.size).toBe(45);
    expect(chat.state.hasOlder).toBe(false);
  });

  it('ends the chat through the service, then forgets it', async () => {
    const { chat, world, sessions, apiCalls } = setup();
    await chat.start({ preEngagement: {} });
    expect(await chat.end()).toBe(true);
    expect(apiCalls.end).toBe(1);
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'customer' });
    expect(sessions.load()).toBeUndefined();
    expect(world.calls.shutdowns).toBe(1);
  });

  it('stays in the chat when ending fails', async () => {
    const { chat } = setup([], {
      endChat: () => Promise.reject(new ApiError(502, 'upstream_error', 'x')),
    });
    await chat.start({ preEngagement: {} });
    expect(await chat.end()).toBe(false);
    expect(chat.state.phase).toBe('chat');
  });

  it('follows the agent closing the conversation', async () => {
    const { chat, world, sessions } = setup();
    await chat.start({ preEngagement: {} });
    world.conversationEvents.emit('statusChanged', 'closed');
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'other' });
    expect(sessions.load()).toBeUndefined();
  });

  it('ends honestly when the conversation is no longer reachable', async () => {
    const { chat, world } = setup();
    world.failConversation();
    await chat.start({ preEngagement: {} });
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'expired' });
  });

  it('does not lose text: a failed send resolves false', async () => {
    const { chat } = setup();
    expect(await chat.send('hello')).toBe(false); // not connected yet
    await chat.start({ preEngagement: {} });
    expect(await chat.send('  ')).toBe(false);
    expect(await chat.send('hello')).toBe(true);
  });
});
