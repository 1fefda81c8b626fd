/**
 * When the unread alerts (notify.ts) fire: only for others' new messages, only
 * while the customer is away (panel closed or tab hidden), once per message;
 * and what the title reads.
 */
import type { ChatMessage } from './chat-client';
import { alertFor, awayCount, titled } from './notify';
import { initialState, reduce, type Action, type State } from './state';

const ME = 'web_me';

function message(index: number, author: string): ChatMessage {
  return {
    sid: `IM${index}`,
    index,
    author,
    body: `m${index}`,
    dateCreated: null,
    media: [],
    attributes: {},
  };
}

function run(state: State, ...actions: Action[]): State {
  return actions.reduce(reduce, state);
}

const inChat = run(
  initialState(),
  { type: 'session', identity: ME, conversationSid: 'CH1' },
  { type: 'phase', phase: 'chat' },
);

describe('alertFor', () => {
  const agentSays = (index: number): Action => ({
    type: 'messageAdded',
    message: message(index, 'alex'),
  });

  it('alerts for an agent’s new message while the panel is closed or the tab hidden', () => {
    const action = agentSays(0);
    const closed = run(inChat, action);
    expect(alertFor(closed, action, true, -1)?.index).toBe(0);
    const openHidden = run(inChat, { type: 'opened' }, action);
    expect(alertFor(openHidden, action, false, -1)?.index).toBe(0);
  });

  it('stays quiet while the customer is looking, for their own messages, and for history', () => {
    const action = agentSays(0);
    expect(alertFor(run(inChat, { type: 'opened' }, action), action, true, -1)).toBeUndefined();
    const mine: Action = { type: 'messageAdded', message: message(1, ME) };
    expect(alertFor(run(inChat, mine), mine, false, -1)).toBeUndefined();
    const history: Action = {
      type: 'history',
      messages: [message(0, 'alex')],
      hasOlder: false,
      participants: [],
      status: 'active',
    };
    expect(alertFor(run(inChat, history), history, false, -1)).toBeUndefined();
  });

  it('alerts once per message: not again when it is delivered twice, nor once read', () => {
    const action = agentSays(3);
    const state = run(inChat, action);
    expect(alertFor(state, action, false, 3)).toBeUndefined();
    const read = run(state, { type: 'read', index: 3 });
    expect(alertFor(read, action, false, -1)).toBeUndefined();
  });
});

describe('the title', () => {
  it('counts unread messages while away, none while looking', () => {
    const state = run(inChat, agentSays(0), agentSays(1));
    expect(awayCount(state, true)).toBe(2);
    expect(awayCount(run(state, { type: 'opened' }), false)).toBe(2);
    expect(awayCount(run(state, { type: 'opened' }), true)).toBe(0);
    expect(awayCount(run(state, { type: 'read', index: 1 }), true)).toBe(0);
  });

  it('puts the count in front of the page’s own title', () => {
    expect(titled('Acme shop', 3)).toBe('(3) Acme shop');
    expect(titled('Acme shop', 0)).toBe('Acme shop');
  });

  function agentSays(index: number): Action {
    return { type: 'messageAdded', message: message(index, 'alex') };
  }
});
