import type { ChatMessage } from './chat-client';
import { followChat, SiteEvents, type SiteEventName } from './events';
import { initialState, reduce, type Action, type State } from './state';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function message(index: number, author: string): ChatMessage {
  return {
    sid: `IM${index}`,
    index,
    author,
    body: `m${index}`,
    dateCreated: new Date(0),
    media: [],
    attributes: {},
  };
}

/** Feeds actions through the reducer and the follower, as the controller does. */
function harness(options = {}) {
  const reports: string[] = [];
  const events = new SiteEvents((text) => reports.push(text));
  const seen: string[] = [];
  const names: SiteEventName[] = [
    'open',
    'close',
    'chatStarted',
    'message',
    'unreadChange',
    'chatEnded',
  ];
  for (const name of names)
    events.on(name, (detail) => seen.push(`${name} ${JSON.stringify(detail)}`));
  let state: State = initialState();
  const follow = followChat(events, state, options);
  const feed = (...actions: Action[]) => {
    for (const action of actions) {
      state = reduce(state, action);
      follow(state, action);
    }
  };
  return { events, seen, reports, feed };
}

describe('site events', () => {
  it('derives the events, in order, from the chat’s states', async () => {
    const { seen, feed } = harness();
    feed(
      { type: 'opened' },
      { type: 'phase', phase: 'starting' },
      { type: 'session', identity: 'me', conversationSid: 'CH1' },
      { type: 'phase', phase: 'chat' },
      { type: 'messageAdded', message: message(0, 'me') },
      { type: 'closed' },
      { type: 'messageAdded', message: message(1, 'agent') },
      { type: 'messageAdded', message: message(1, 'agent') }, // delivered twice: one event
      { type: 'messageAdded', message: message(2, 'system') },
      { type: 'phase', phase: 'ended', endedBy: 'other' },
    );
    await flush();
    expect(seen).toEqual([
      'open {}',
      'chatStarted {"conversationSid":"CH1","resumed":false}',
      'message {"from":"customer","index":0,"hasMedia":false}',
      'close {}',
      'message {"from":"agent","index":1,"hasMedia":false}',
      'unreadChange {"count":1}',
      'message {"from":"system","index":2,"hasMedia":false}',
      'unreadChange {"count":2}',
      'chatEnded {"conversationSid":"CH1","endedBy":"other"}',
    ]);
  });

  it('says resumed for a chat back after a reload, and gives text only when asked', async () => {
    const { seen, feed } = harness({ messageText: true });
    feed(
      { type: 'session', identity: 'me', conversationSid: 'CH2' },
      { type: 'phase', phase: 'resuming' },
      { type: 'phase', phase: 'chat' },
      { type: 'opened' },
      { type: 'messageAdded', message: message(0, 'agent') },
    );
    await flush();
    expect(seen).toContain('chatStarted {"conversationSid":"CH2","resumed":true}');
    expect(seen).toContain('message {"from":"agent","index":0,"hasMedia":false,"text":"m0"}');
  });

  it('keeps going when a listener throws, and reports it', async () => {
    const { events, reports } = harness();
    const heard: string[] = [];
    events.on('ready', () => {
      throw new Error('site bug');
    });
    events.on('ready', () => heard.push('second'));
    events.emit('ready', {});
    await flush();
    expect(heard).toEqual(['second']);
    expect(reports).toEqual(['FlexWebchat: a "ready" listener threw']);
  });

  it('refuses an unknown event name', () => {
    const { events } = harness();
    expect(() => events.on('opened' as 'open', () => undefined)).toThrow(/unknown event "opened"/);
  });
});
