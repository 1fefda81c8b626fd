/**
 * Agent privacy (`agentName`): how agents are named to the customer, in
 * messages, "is typing…", "joined"/"left" notices, the announcer, alerts and
 * the transcript download, after transfers too. `full` (the default) shows
 * the friendly name Twilio has for them; `first` only its first word; `role`
 * a label (`agentRoleLabel`, default "Agent"/"Agente") for everyone.
 *
 * It wraps the chat client at the seam (every participant the widget sees
 * passes through here), so no view has to remember it. It is a DISPLAY rule:
 * the Conversations SDK still hands the customer's browser each agent's
 * identity (as a message's author) and their user's friendly name, as it does
 * for any participant; see docs/widget.md (Agent privacy).
 *
 * A participant named by its bare identity (the adapter does so until the
 * friendly name is looked up; in Flex an identity is often an email) is never
 * shown by it: the label stands in until the name arrives.
 */
import type {
  ChatClient,
  ChatClientFactory,
  ChatConversation,
  ChatParticipant,
} from './chat-client';

export type AgentNameMode = 'full' | 'first' | 'role';

/** The name to show for `participant` under `mode`. */
export function agentDisplayName(
  participant: Pick<ChatParticipant, 'name' | 'identity'>,
  mode: AgentNameMode,
  label: string,
): string {
  const name = participant.name.trim();
  if (mode === 'full') return participant.name;
  if (mode === 'role' || !name || name === participant.identity) return label;
  const [first = ''] = name.split(/\s+/);
  // An email or a handle is no first name.
  return /[@/\\]/.test(first) ? label : first;
}

/** A factory whose clients name participants by `mode` (unchanged for `full`). */
export function withAgentNames(
  factory: ChatClientFactory,
  mode: AgentNameMode,
  label: string,
): ChatClientFactory {
  if (mode === 'full') return factory;
  const rename = (p: ChatParticipant): ChatParticipant => ({
    ...p,
    name: agentDisplayName(p, mode, label),
  });
  const wrap = (conversation: ChatConversation): ChatConversation => ({
    get sid() {
      return conversation.sid;
    },
    get status() {
      return conversation.status;
    },
    messages: (size, upTo) => conversation.messages(size, upTo),
    participants: async () => (await conversation.participants()).map(rename),
    send: (text) => conversation.send(text),
    sendMedia: (file, filename, text) => conversation.sendMedia(file, filename, text),
    typing: () => conversation.typing(),
    markAllRead: () => conversation.markAllRead(),
    on: (event, listener) =>
      conversation.on(event, (value?: unknown) =>
        (listener as (value?: unknown) => void)(isParticipant(value) ? rename(value) : value),
      ),
  });
  return (token) => {
    const client: ChatClient = factory(token);
    return {
      conversation: async (sid) => wrap(await client.conversation(sid)),
      updateToken: (next) => client.updateToken(next),
      on: (event, listener) => client.on(event, listener),
      shutdown: () => client.shutdown(),
    };
  };
}

function isParticipant(value: unknown): value is ChatParticipant {
  return typeof value === 'object' && value !== null && 'identity' in value && 'name' in value;
}
