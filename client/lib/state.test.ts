import type { ChatMessage, ChatParticipant } from './chat-client';
import {
  banner,
  canSend,
  initialState,
  reduce,
  seenIndex,
  timeline,
  typingNames,
  unreadCount,
  type Action,
  type State,
} from './state';

const ME = 'web_abc_' + '0'.repeat(32);
const names = { agent: 'Agent', system: 'Notice', you: 'You' };

function message(index: number, author: string | null, body = `m${index}`): ChatMessage {
  return {
    sid: `IM${index}`,
    index,
    author,
    body,
    dateCreated: new Date(2026, 10, 21, 10, index),
    media: [],
    attributes: {},
  };
}
const me: ChatParticipant = { sid: 'MB1', identity: ME, name: ME, lastReadMessageIndex: null };
const alex: ChatParticipant = {
  sid: 'MB2',
  identity: 'alex@co.example',
  name: 'Alex',
  lastReadMessageIndex: null,
};

function run(...actions: Action[]): State {
  return actions.reduce(reduce, initialState());
}

const inChat: Action[] = [
  { type: 'session', identity: ME, conversationSid: 'CH1' },
  { type: 'history', messages: [], hasOlder: false, participants: [me], status: 'active' },
  { type: 'phase', phase: 'chat' },
  { type: 'connection', state: 'connected' },
];

describe('timeline', () => {
  it('orders messages by index and says who sent each', () => {
    const state = run(
      ...inChat,
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'messageAdded', message: message(1, 'alex@co.example') },
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'messageAdded', message: message(2, 'system') },
    );
    expect(
      timeline(state, names).map((i) =>
        i.kind === 'message' ? `${i.from}:${i.authorName}` : i.text,
      ),
    ).toEqual(['joined', 'customer:You', 'agent:Alex', 'system:Notice']);
  });

  it('counts a message delivered twice (event, then history page) once', () => {
    const state = run(
      ...inChat,
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'older', messages: [message(0, ME)], hasOlder: false },
    );
    expect(timeline(state, names)).toHaveLength(1);
  });

  it('puts a notice after the newest message at the time', () => {
    const state = run(
      ...inChat,
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'messageAdded', message: message(1, 'alex@co.example') },
    );
    expect(timeline(state, names).map((i) => i.key)).toEqual([
      'IM0',
      expect.stringMatching(/^participantJoined/),
      'IM1',
    ]);
  });

  it('takes no notice of the customer joining', () => {
    const state = run(...inChat, { type: 'participantJoined', participant: me, at: new Date() });
    expect(state.notices).toEqual([]);
  });

  it('names an unknown agent "Agent"', () => {
    const state = run(...inChat, {
      type: 'messageAdded',
      message: message(0, 'someone@co.example'),
    });
    expect(timeline(state, names)[0]).toMatchObject({ from: 'agent', authorName: 'Agent' });
  });
});

describe('names', () => {
  const authors = (state: State) =>
    timeline(state, names).flatMap((i) => (i.kind === 'message' ? [i.authorName] : []));

  it("keeps signing an agent's messages after they leave", () => {
    const state = run(
      ...inChat,
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'messageAdded', message: message(0, 'alex@co.example') },
      { type: 'participantLeft', participant: alex, at: new Date() },
    );
    expect(state.participants.has(alex.sid)).toBe(false);
    expect(authors(state)).toEqual(['Alex']);
  });

  it('takes a name looked up late, but does not bring back someone who left', () => {
    const byIdentity = { ...alex, name: alex.identity! };
    const state = run(
      ...inChat,
      { type: 'participantJoined', participant: byIdentity, at: new Date() },
      { type: 'messageAdded', message: message(0, 'alex@co.example') },
      { type: 'participantLeft', participant: byIdentity, at: new Date() },
      { type: 'participantUpdated', participant: alex },
    );
    expect(state.participants.has(alex.sid)).toBe(false);
    expect(authors(state)).toEqual(['Alex']);
  });

  it('never replaces a real name with the bare identity', () => {
    const state = run(
      ...inChat,
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'participantUpdated', participant: { ...alex, name: alex.identity! } },
      { type: 'messageAdded', message: message(0, 'alex@co.example') },
    );
    expect(authors(state)).toEqual(['Alex']);
  });
});

describe('read receipts', () => {
  it('puts "Seen" under the newest customer message an agent has read', () => {
    let state = run(
      ...inChat,
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'messageAdded', message: message(1, ME) },
      { type: 'messageAdded', message: message(2, ME) },
    );
    expect(seenIndex(state)).toBeUndefined();
    state = reduce(state, {
      type: 'participantUpdated',
      participant: { ...alex, lastReadMessageIndex: 1 },
    });
    expect(seenIndex(state)).toBe(1);
    state = reduce(state, {
      type: 'participantUpdated',
      participant: { ...alex, lastReadMessageIndex: 2 },
    });
    expect(seenIndex(state)).toBe(2);
  });

  it('does not count the customer reading their own messages', () => {
    const state = run(
      ...inChat,
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'participantUpdated', participant: { ...me, lastReadMessageIndex: 0 } },
    );
    expect(seenIndex(state)).toBeUndefined();
  });
});

describe('unread count', () => {
  it("counts others' messages after what the customer read", () => {
    let state = run(
      ...inChat,
      { type: 'messageAdded', message: message(0, ME) },
      { type: 'messageAdded', message: message(1, 'alex@co.example') },
      { type: 'messageAdded', message: message(2, 'alex@co.example') },
    );
    expect(unreadCount(state)).toBe(2);
    state = reduce(state, { type: 'read', index: 1 });
    expect(unreadCount(state)).toBe(1);
    state = reduce(state, { type: 'read', index: 0 }); // never backwards
    expect(unreadCount(state)).toBe(1);
  });
});

describe('typing', () => {
  it('lists who types, and stops when they send', () => {
    let state = run(
      ...inChat,
      { type: 'participantJoined', participant: alex, at: new Date() },
      { type: 'typing', participant: alex, typing: true },
    );
    expect(typingNames(state)).toEqual(['Alex']);
    state = reduce(state, { type: 'messageAdded', message: message(0, 'alex@co.example') });
    expect(typingNames(state)).toEqual([]);
  });

  it('ignores the customer typing (their own echo)', () => {
    const state = run(...inChat, { type: 'typing', participant: me, typing: true });
    expect(typingNames(state)).toEqual([]);
  });
});

describe('connection banner and sending', () => {
  it.each([
    [['connecting'], 'connecting'],
    [['connected', 'connecting'], 'reconnecting'],
    [['connected', 'retrying'], 'reconnecting'],
    [['connected', 'denied'], 'reconnecting'],
    [['connected', 'denied', 'denied'], 'denied'],
    [['connected', 'denied', 'connected', 'denied'], 'reconnecting'],
    [['denied'], 'connecting'],
    [['connected', 'error'], 'reconnecting'],
    [['connected'], undefined],
  ] as const)('after %j: %s', (states, expected) => {
    let state = run(...inChat.slice(0, 3));
    for (const s of states) state = reduce(state, { type: 'connection', state: s });
    expect(banner(state)).toBe(expected);
  });

  it('says offline first, and never outside a chat', () => {
    expect(banner(run(...inChat, { type: 'online', online: false }))).toBe('offline');
    expect(banner(run({ type: 'connection', state: 'connecting' }))).toBeUndefined();
    expect(
      banner(
        run({ type: 'phase', phase: 'starting' }, { type: 'connection', state: 'connecting' }),
      ),
    ).toBe('connecting');
  });

  it('sends only when connected, online and open', () => {
    expect(canSend(run(...inChat))).toBe(true);
    expect(canSend(run(...inChat, { type: 'online', online: false }))).toBe(false);
    expect(canSend(run(...inChat, { type: 'connection', state: 'retrying' }))).toBe(false);
    expect(canSend(run(...inChat, { type: 'status', status: 'closed' }))).toBe(false);
  });
});

it('reset keeps the panel open and forgets the chat', () => {
  const state = run(
    { type: 'opened' },
    ...inChat,
    { type: 'messageAdded', message: message(0, ME) },
    { type: 'reset' },
  );
  expect(state).toMatchObject({ open: true, phase: 'form' });
  expect(state.identity).toBeUndefined();
  expect(state.messages.size).toBe(0);
});

describe('queued (a busy start waiting its turn)', () => {
  it('holds only while starting, and ends with the phase', () => {
    const starting: Action = { type: 'phase', phase: 'starting' };
    expect(run({ type: 'queued' }).queued).toBe(false); // no start under way
    expect(run(starting, { type: 'queued' }).queued).toBe(true);
    expect(run(starting, { type: 'queued' }, { type: 'phase', phase: 'chat' }).queued).toBe(false);
    const refused = run(
      starting,
      { type: 'queued' },
      {
        type: 'phase',
        phase: 'form',
        startError: { code: 'upstream_rate_limited', message: 'Busy' },
      },
    );
    expect(refused.queued).toBe(false);
  });
});
