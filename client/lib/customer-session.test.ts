import { ApiError } from './api';
import { CustomerTokens, type Fail } from './customer';
import type { PreviousChat } from './customer-state';
import { CustomerSession, SIGNED_OUT, type CustomerChat } from './customer-session';
import { initialState, reduce, type Action, type State } from './state';

const fail: Fail = (status, code, message) => new ApiError(status, code, message);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: object) => `${b64url({ alg: 'HS256' })}.${b64url(payload)}.sig`;
const CUST = 'cust_' + 'a'.repeat(32);
const PREVIOUS: PreviousChat = {
  endedAt: '2026-12-02T10:00:00.000Z',
  messages: [{ from: 'customer', body: 'Where is my order?', dateCreated: '2026-12-02T09:58:00Z' }],
};

/** The controller's part the session uses: a real reducer, a token, listeners. */
function fakeChat(): CustomerChat & { act(action: Action): void; newChats: number } {
  const listeners = new Set<(state: State, action: Action) => void>();
  const chat = {
    state: initialState(),
    session: { current: { token: 'access-1' } },
    subscribe(listener: (state: State, action: Action) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(action: Action) {
      chat.state = reduce(chat.state, action);
      for (const listener of listeners) listener(chat.state, action);
    },
    newChats: 0,
    newChat() {
      chat.newChats++;
      chat.session.current = undefined as never;
      chat.dispatch({ type: 'reset' });
      return Promise.resolve();
    },
    act(action: Action) {
      chat.dispatch(action);
    },
  };
  return chat as unknown as CustomerChat & { act(action: Action): void; newChats: number };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function connect(chat: ReturnType<typeof fakeChat>, conversationSid: string, identity = CUST) {
  chat.act({ type: 'session', identity, conversationSid });
  chat.act({ type: 'phase', phase: 'chat' });
}

describe('CustomerSession', () => {
  it('says who is signed in when the form is shown, asking the page once per opening', async () => {
    let calls = 0;
    const tokens = new CustomerTokens(
      { getCustomerToken: () => (calls++, jwt({ name: 'Ana', email: 'ana@example.com' })) },
      fail,
    );
    const chat = fakeChat();
    new CustomerSession({ tokens }).attach(chat);
    expect(calls).toBe(0); // not on page load: only when the form is in view
    chat.act({ type: 'opened' });
    await flush();
    expect(chat.state.customer.signedIn).toEqual({ name: 'Ana', email: 'ana@example.com' });
    chat.act({ type: 'customer', resumed: false }); // other changes while open: not asked again
    await flush();
    expect(calls).toBe(1);
    chat.act({ type: 'closed' });
    chat.act({ type: 'opened' });
    await flush();
    expect(calls).toBe(2); // they may have signed in or out elsewhere meanwhile
  });

  it('marks a chat the service continued, with the verified name, until a new chat', () => {
    const chat = fakeChat();
    const session = new CustomerSession({
      tokens: new CustomerTokens({ customerToken: 'x' }, fail),
    });
    session.attach(chat);
    session.started({
      conversationSid: 'CH1',
      identity: CUST,
      token: 't',
      expiresAt: '',
      resumed: true,
      customer: { name: 'Ana Verified' },
    });
    expect(chat.state.customer).toEqual({ resumed: true, signedIn: { name: 'Ana Verified' } });
    chat.act({ type: 'reset' });
    expect(chat.state.customer).toEqual({ resumed: false, signedIn: { name: 'Ana Verified' } });
  });

  it('asks for the previous chat once per chat, with its Access Token, for signed-in customers only', async () => {
    const asked: string[] = [];
    const chat = fakeChat();
    const session = new CustomerSession({
      tokens: new CustomerTokens({ customerToken: 'x' }, fail),
      previousChat: (token) => (asked.push(token), Promise.resolve(PREVIOUS)),
    });
    session.attach(chat);
    session.renewed({ identity: CUST, token: 't', expiresAt: '', previousChat: true });
    connect(chat, 'CHanon', 'web_abc_' + '1'.repeat(32));
    expect(asked).toEqual([]);
    connect(chat, 'CH1');
    chat.act({ type: 'connection', state: 'connected' });
    await flush();
    expect(asked).toEqual(['access-1']);
    expect(chat.state.customer.previousChat).toEqual(PREVIOUS);
    chat.act({ type: 'reset' });
    expect(chat.state.customer.previousChat).toBeUndefined();
  });

  it('asks only when the service said /previous-chat answers (start or renewal)', async () => {
    let asked = 0;
    const chat = fakeChat();
    const session = new CustomerSession({
      tokens: new CustomerTokens({ customerToken: 'x' }, fail),
      previousChat: () => (asked++, Promise.resolve(PREVIOUS)),
    });
    session.attach(chat);
    const answer = { identity: CUST, token: 't', expiresAt: '' };
    session.started({ ...answer, conversationSid: 'CH1' }); // SHOW_PREVIOUS_CHAT off: not said
    connect(chat, 'CH1');
    await flush();
    expect(asked).toBe(0);
    session.renewed(answer); // a resume after a reload: still not said
    connect(chat, 'CH2');
    await flush();
    expect(asked).toBe(0);
    session.renewed({ ...answer, previousChat: true }); // said: asked, once
    connect(chat, 'CH3');
    await flush();
    expect(asked).toBe(1);
    expect(chat.state.customer.previousChat).toEqual(PREVIOUS);
  });

  it('signing out forgets the chat here (not ended) and the form says why', async () => {
    const chat = fakeChat();
    const session = new CustomerSession({
      tokens: new CustomerTokens({ getCustomerToken: () => null }, fail),
    });
    session.attach(chat);
    session.started({
      conversationSid: 'CH1',
      identity: CUST,
      token: 't',
      expiresAt: '',
      customer: { name: 'Ana' },
    });
    connect(chat, 'CH1');
    await session.signedOut();
    expect(chat.newChats).toBe(1);
    expect(chat.state.phase).toBe('form');
    expect(chat.state.customer.signedIn).toBeUndefined();
    expect(chat.state.startError?.code).toBe(SIGNED_OUT);
    expect(chat.state.conversationSid).toBeUndefined();
  });

  it('signed in again: the form no longer says "you signed out"', async () => {
    let token: string | null = null;
    const chat = fakeChat();
    const session = new CustomerSession({
      tokens: new CustomerTokens({ getCustomerToken: () => token }, fail),
    });
    session.attach(chat);
    connect(chat, 'CH1');
    await session.signedOut();
    chat.act({ type: 'opened' });
    await flush();
    expect(chat.state.startError?.code).toBe(SIGNED_OUT); // still nobody
    token = jwt({ name: 'Ana' });
    chat.act({ type: 'closed' });
    chat.act({ type: 'opened' });
    await flush();
    expect(chat.state.startError).toBeUndefined();
    expect(chat.state.customer.signedIn).toEqual({ name: 'Ana' });
  });

  it('does nothing at all on a page without a customer', async () => {
    let asked = 0;
    const chat = fakeChat();
    new CustomerSession({
      tokens: new CustomerTokens({}, fail),
      previousChat: () => (asked++, Promise.resolve(PREVIOUS)),
    }).attach(chat);
    chat.act({ type: 'opened' });
    connect(chat, 'CH1');
    await flush();
    expect(asked).toBe(0);
    expect(chat.state.customer).toEqual({ resumed: false });
  });
});
