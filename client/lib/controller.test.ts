import { ApiError, type Api, type StartedChat } from './api';
import {
  chatUnavailable,
  type ChatClient,
  type ChatConversation,
  type ChatMessage,
  type ClientEvents,
  type ConversationEvents,
} from './chat-client';
import { ChatController, RETRY_DELAYS_MS, TYPING_INTERVAL_MS } from './controller';
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
  /** How many next conversation() calls fail, and how. */
  const failing = { count: 0, reason: 'unreachable' as 'unreachable' | 'gone' };
  /** conversation() calls held open until released (or their client shut down). */
  let holding = false;
  const held: { resolve: () => void; reject: (error: Error) => void }[] = [];
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
      conversation: () => {
        if (holding) {
          return new Promise<ChatConversation>((resolve, reject) =>
            held.push({ resolve: () => resolve(conversation), reject }),
          );
        }
        if (failing.count === 0) return Promise.resolve(conversation);
        failing.count--;
        return Promise.reject(chatUnavailable(failing.reason, 'nope'));
      },
      updateToken: (t) => {
        calls.tokens.push(t);
        return Promise.resolve();
      },
      on: <E extends keyof ClientEvents>(e: E, l: ClientEvents[E]) =>
        clientEvents.on(e, l as (v: unknown) => void),
      shutdown: () => {
        calls.shutdowns++;
        // Like the SDK: what was pending on this client fails.
        for (const call of held.splice(0)) call.reject(chatUnavailable('unreachable', 'shut down'));
        return Promise.resolve();
      },
    };
  };
  return {
    calls,
    conversationEvents,
    clientEvents,
    factory,
    failConnects: (count: number, reason: 'unreachable' | 'gone' = 'unreachable') => {
      failing.count = count;
      failing.reason = reason;
    },
    /** From now on, conversation() waits for `release()`. */
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const call of held.splice(0)) call.resolve();
    },
    /** Fails the held calls, as a client that could not connect. */
    failHeld: () => {
      holding = false;
      for (const call of held.splice(0)) call.reject(chatUnavailable('unreachable', 'no'));
    },
  };
}

function setup(history: ChatMessage[] = [], api: Partial<Api> = {}) {
  const world = fakeWorld(history);
  const storage = new MemoryStorage();
  const sessions = new SessionStore(storage as unknown as Storage, 'https://s.twil.io/start-chat');
  const apiCalls = { refresh: 0, end: 0 };
  let now = 1_000_000;
  // Timers are ours: a test runs them when it wants, and none outlive it.
  const timers: { fn: () => void; ms: number }[] = [];
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
    setTimeout: (fn, ms) => {
      const timer = { fn, ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (timer) => {
      const i = timers.indexOf(timer as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  /** Runs the pending timer (there is at most one retry at a time) and lets it settle. */
  const runTimer = async () => {
    expect(timers).toHaveLength(1);
    timers.shift()?.fn();
    await settle();
    await settle();
  };
  return {
    chat,
    world,
    sessions,
    storage,
    apiCalls,
    timers,
    runTimer,
    tick: (ms: number) => (now += ms),
    setNow: (ms: number) => (now = ms),
  };
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

  it('shows a chat whose renewal is refused with chat_ended as ended, and asks no more', async () => {
    let renewals = 0;
    const { chat, world, sessions } = setup([], {
      refreshToken: () => {
        renewals++;
        return Promise.reject(new ApiError(403, 'chat_ended', 'x'));
      },
    });
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('tokenAboutToExpire');
    await settle();
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'other' });
    expect(sessions.load()).toBeUndefined();
    world.clientEvents.emit('tokenExpired');
    world.clientEvents.emit('connectionStateChanged', 'denied');
    await settle();
    expect(renewals).toBe(1);
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'other' });
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
    const [first, second] = [chat.end(), chat.end()];
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(apiCalls.end).toBe(1);
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'customer' });
    expect(sessions.load()).toBeUndefined();
    // The client stays for the transcript's older pages, until a new chat.
    expect(world.calls.shutdowns).toBe(0);
    await chat.newChat();
    expect(world.calls.shutdowns).toBe(1);
    expect(chat.state.phase).toBe('form');
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

  it('ends honestly when the conversation is gone', async () => {
    const { chat, world, sessions, timers } = setup();
    world.failConnects(1, 'gone');
    await chat.start({ preEngagement: {} });
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'expired' });
    expect(sessions.load()).toBeUndefined();
    expect(timers).toHaveLength(0);
  });

  it('keeps a chat it cannot reach yet, and retries with backoff', async () => {
    const { chat, world, sessions, timers, runTimer, apiCalls } = setup([message(0)]);
    world.failConnects(2);
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('resuming');
    expect(sessions.load()?.conversationSid).toBe('CH1');
    expect(timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
    await runTimer();
    expect(chat.state.phase).toBe('resuming');
    expect(timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[1]]);
    await runTimer();
    expect(chat.state.phase).toBe('chat');
    expect(chat.state.messages.size).toBe(1);
    expect(timers).toHaveLength(0);
    // Every retry renewed the token first; every client but the last was shut down.
    expect(apiCalls.refresh).toBe(2);
    expect(world.calls.tokens).toEqual(['token-1', 'token-2', 'token-3']);
    expect(world.calls.shutdowns).toBe(2);
  });

  it('tries again at once when asked, or when the browser comes back', async () => {
    const { chat, world, timers } = setup();
    world.failConnects(2);
    await chat.start({ preEngagement: {} });
    chat.retryNow();
    await settle();
    await settle();
    expect(chat.state.phase).toBe('resuming');
    expect(timers).toHaveLength(1); // the old timer replaced, not added to
    chat.setOnline(true);
    await settle();
    await settle();
    expect(chat.state.phase).toBe('chat');
    expect(timers).toHaveLength(0);
  });

  it('replaces a client that stopped trying', async () => {
    const { chat, world, runTimer } = setup();
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('connectionStateChanged', 'error');
    await runTimer();
    expect(world.calls.shutdowns).toBe(1);
    expect(world.calls.tokens).toEqual(['token-1', 'token-2']);
    expect(chat.state.phase).toBe('chat');
  });

  it('gives up on an unreachable chat by ending it at the service', async () => {
    const { chat, world, sessions, timers, apiCalls } = setup();
    world.failConnects(5);
    await chat.start({ preEngagement: {} });
    await chat.abandon();
    expect(apiCalls.end).toBe(1);
    expect(chat.state.phase).toBe('form');
    expect(sessions.load()).toBeUndefined();
    expect(timers).toHaveLength(0);
  });

  it('goes back to the form even when the service cannot end it', async () => {
    const { chat, world } = setup([], {
      endChat: () => Promise.reject(new ApiError(0, 'network', 'x')),
    });
    world.failConnects(5);
    await chat.start({ preEngagement: {} });
    await chat.abandon();
    expect(chat.state.phase).toBe('form');
  });

  it('does not bring an ended chat back when a late renewal arrives', async () => {
    let answer: (value: { identity: string; token: string; expiresAt: string }) => void = () => {};
    const { chat, world, sessions } = setup([], {
      refreshToken: () => new Promise((resolve) => (answer = resolve)),
    });
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('tokenAboutToExpire');
    await chat.end();
    answer({ identity: IDENTITY, token: 'late', expiresAt: 'x' });
    await settle();
    expect(chat.state.phase).toBe('ended');
    expect(sessions.load()).toBeUndefined();
    expect(world.calls.tokens).toEqual(['token-1']);
  });

  it('renews a token about to lapse when the page wakes up', async () => {
    const { chat, apiCalls, setNow } = setup();
    await chat.start({ preEngagement: {} });
    setNow(Date.parse(STARTED.expiresAt) - 10 * 60_000);
    chat.setVisible(true);
    await settle();
    expect(apiCalls.refresh).toBe(0); // plenty of time left
    setNow(Date.parse(STARTED.expiresAt) - 60_000);
    chat.setVisible(true);
    await settle();
    expect(apiCalls.refresh).toBe(1);
  });

  it('counts one failure once, however many ways it is reported', async () => {
    const { chat, world, timers } = setup();
    world.hold();
    const started = chat.start({ preEngagement: {} });
    await settle();
    // The SDK says it twice while the attempt is under way, then the attempt fails.
    world.clientEvents.emit('connectionStateChanged', 'error');
    world.clientEvents.emit('connectionStateChanged', 'disconnected');
    world.failHeld();
    await started;
    expect(timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
  });

  it('is not brought back by a client reporting after the chat ended', async () => {
    const { chat, world, timers } = setup();
    await chat.start({ preEngagement: {} });
    await chat.end();
    // An hour later, the kept client's token lapses and it disconnects.
    world.clientEvents.emit('connectionStateChanged', 'disconnected');
    expect(timers).toHaveLength(0);
    await chat.newChat();
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('chat');
  });

  it('gives up cleanly while a connection is still pending, and the next chat connects', async () => {
    const { chat, world, timers, apiCalls } = setup();
    world.failConnects(1);
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('resuming');
    world.hold();
    chat.retryNow();
    await settle();
    await chat.abandon(); // shuts the client down: its pending call fails late
    await settle();
    expect(chat.state.phase).toBe('form');
    expect(timers).toHaveLength(0);
    expect(apiCalls.end).toBe(1);
    world.release();
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('chat');
  });

  it('connects a new chat even while an old chat is still connecting', async () => {
    const { chat, world } = setup();
    world.hold();
    void chat.start({ preEngagement: {} });
    await settle();
    await chat.newChat();
    world.release();
    await chat.start({ preEngagement: {} });
    expect(chat.state.phase).toBe('chat');
  });

  it("counts a close that arrives while the customer's /end-chat is in flight as the customer's", async () => {
    let answer: () => void = () => {};
    const { chat, world } = setup([], {
      endChat: () =>
        new Promise((resolve) => (answer = () => resolve({ ended: true, alreadyEnded: false }))),
    });
    await chat.start({ preEngagement: {} });
    const ending = chat.end();
    // /end-chat closed it, and the SDK heard before the HTTP answer came back.
    world.conversationEvents.emit('statusChanged', 'closed');
    answer();
    expect(await ending).toBe(true);
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'customer' });
  });

  it('stays ended when the agent closed the chat while the customer was ending it', async () => {
    let fail: (error: Error) => void = () => {};
    const { chat, world } = setup([], {
      endChat: () => new Promise((_, reject) => (fail = reject)),
    });
    await chat.start({ preEngagement: {} });
    const ending = chat.end();
    world.conversationEvents.emit('statusChanged', 'closed');
    fail(new ApiError(502, 'upstream_error', 'x'));
    expect(await ending).toBe(false);
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'other' });
  });

  it('renews once when the token is refused, then backs off if refused again', async () => {
    const { chat, world, timers, apiCalls } = setup();
    await chat.start({ preEngagement: {} });
    world.clientEvents.emit('connectionStateChanged', 'denied');
    await settle();
    expect(apiCalls.refresh).toBe(1);
    world.clientEvents.emit('connectionStateChanged', 'denied');
    await settle();
    expect(apiCalls.refresh).toBe(1); // not again and again
    expect(timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
  });

  it('follows the customer being removed from the conversation', async () => {
    const { chat, world } = setup();
    await chat.start({ preEngagement: {} });
    world.conversationEvents.emit('removed');
    await settle();
    expect(chat.state).toMatchObject({ phase: 'ended', endedBy: 'other' });
  });

  it('pages in the whole history for a transcript', async () => {
    const history = Array.from({ length: 75 }, (_, i) => message(i));
    const { chat } = setup(history);
    await chat.start({ preEngagement: {} });
    const all = await chat.allMessages();
    expect(all.map((m) => m.index)).toEqual(history.map((m) => m.index));
  });

  it('does not lose text: a failed send resolves false', async () => {
    const { chat } = setup();
    expect(await chat.send('hello')).toBe(false); // not connected yet
    await chat.start({ preEngagement: {} });
    expect(await chat.send('  ')).toBe(false);
    expect(await chat.send('hello')).toBe(true);
  });

  it('sends messages cleaned by the same character rule as the form (src/plain-text.ts)', async () => {
    const { chat, world } = setup();
    await chat.start({ preEngagement: {} });
    expect(await chat.send('\u202Eok\u200B 👩\u200D💻\u0007\r\n')).toBe(true);
    expect(await chat.send('\u200B\u2066\u2069 ')).toBe(false); // nothing visible: not sent
    expect(world.calls.sent).toEqual(['ok 👩\u200D💻']);
  });
});
