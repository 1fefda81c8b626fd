/**
 * Agent privacy (agent-name.ts): what each mode shows, and that every
 * participant reaching the widget through the wrapped client is renamed,
 * from the participant list and from every participant event.
 */
import { agentDisplayName, withAgentNames } from './agent-name';
import type { ChatClient, ChatConversation, ChatParticipant } from './chat-client';

const alex: ChatParticipant = {
  sid: 'MB1',
  identity: 'alex.morgan@example.com',
  name: 'Alex Morgan',
  lastReadMessageIndex: null,
};

describe('agentDisplayName', () => {
  it.each([
    ['full', 'Alex Morgan', 'Alex Morgan'],
    ['first', 'Alex Morgan', 'Alex'],
    ['first', '  María José  Pérez ', 'María'],
    ['role', 'Alex Morgan', 'Agent'],
    // Still being looked up (named by identity), an email, or nothing: the label.
    ['first', 'alex.morgan@example.com', 'Agent'],
    ['first', 'alex@example.com Morgan', 'Agent'],
    ['first', '', 'Agent'],
  ] as const)('%s: %j -> %j', (mode, name, shown) => {
    expect(agentDisplayName({ ...alex, name }, mode, 'Agent')).toBe(shown);
  });
});

describe('withAgentNames', () => {
  function fakeClient() {
    const listeners = new Map<string, (value?: unknown) => void>();
    const conversation = {
      sid: 'CH1',
      status: 'active',
      participants: () => Promise.resolve([alex]),
      on: (event: string, listener: (value?: unknown) => void) => {
        listeners.set(event, listener);
        return () => listeners.delete(event);
      },
    } as unknown as ChatConversation;
    const client = {
      conversation: () => Promise.resolve(conversation),
    } as unknown as ChatClient;
    return { client, emit: (event: string, value?: unknown) => listeners.get(event)?.(value) };
  }

  it('leaves the client as it is for full names', () => {
    const factory = () => fakeClient().client;
    expect(withAgentNames(factory, 'full', 'Agent')).toBe(factory);
  });

  it('renames participants in the list and in every participant event', async () => {
    const { client, emit } = fakeClient();
    const wrapped = withAgentNames(() => client, 'role', 'Agente')('token');
    const conversation = await wrapped.conversation('CH1');
    expect(conversation.sid).toBe('CH1');
    expect((await conversation.participants()).map((p) => p.name)).toEqual(['Agente']);
    const seen: unknown[] = [];
    const events = [
      'participantJoined',
      'participantLeft',
      'participantUpdated',
      'typingStarted',
      'typingEnded',
    ] as const;
    for (const event of events) {
      conversation.on(event, (p: ChatParticipant) => seen.push(p.name));
      emit(event, alex);
    }
    expect(seen).toEqual(['Agente', 'Agente', 'Agente', 'Agente', 'Agente']);
    // Anything else passes through untouched.
    const statuses: unknown[] = [];
    conversation.on('statusChanged', (status) => statuses.push(status));
    emit('statusChanged', 'closed');
    expect(statuses).toEqual(['closed']);
  });
});
