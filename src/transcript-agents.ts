/**
 * How an emailed transcript names agents: the way the widget showed them
 * (its `agentName` option, sent with the request: src/transcript-request.ts),
 * never more. `full`: the agent's friendly name; `first`: its first word;
 * `role`: the label ("Agent", or the site's `agentRoleLabel`) for everyone.
 * The same rule as the widget's client/lib/agent-name.ts (a test holds the
 * two together), plus one step further: a missing name is the label here,
 * never the identity (in Flex often the agent's email).
 *
 * Names come from where the widget's SDK gets them: each agent's Conversations
 * User (`friendly_name`, the worker's name in Flex), fetched by identity, so
 * an agent who left after a transfer is named as well. One request per agent
 * (at most TRANSCRIPT_MAX_AGENT_LOOKUPS, in parallel: one round trip), none
 * for `role`. A lookup that fails names that agent by the label: a name is
 * not worth failing the email for.
 */
import type { Twilio } from 'twilio';
import { log } from './log';
import type { AgentNameMode } from './transcript-request';
import { upstreamStatus } from './twilio-errors';

export const TRANSCRIPT_MAX_AGENT_LOOKUPS = 10;

/** The name to show for an agent whose friendly name is `name`, under `mode`. */
export function agentDisplayName(
  name: string | null | undefined,
  identity: string,
  mode: AgentNameMode,
  label: string,
): string {
  const trimmed = (name ?? '').trim();
  if (mode === 'role' || !trimmed || trimmed === identity) return label;
  if (mode === 'full') return trimmed;
  const [first = ''] = trimmed.split(/\s+/);
  // An email or a handle is no first name.
  return /[@/\\]/.test(first) ? label : first;
}

/** Each agent's display name, by identity (agents past the lookup cap get the label). */
export async function agentNames(
  client: Twilio,
  serviceSid: string,
  identities: string[],
  mode: AgentNameMode,
  label: string,
  logFields: Record<string, unknown>,
): Promise<Map<string, string>> {
  const unique = [...new Set(identities)];
  const looked = mode === 'role' ? [] : unique.slice(0, TRANSCRIPT_MAX_AGENT_LOOKUPS);
  const friendly = await Promise.all(
    looked.map((identity) =>
      client.conversations.v1
        .services(serviceSid)
        .users(identity)
        .fetch()
        .then(
          (user) => user.friendlyName,
          (error: unknown) => {
            const status = upstreamStatus(error);
            if (status !== 404) log.warn('transcript.agent_name_failed', { ...logFields, status });
            return null;
          },
        ),
    ),
  );
  const names = new Map(unique.map((identity) => [identity, label]));
  looked.forEach((identity, i) => {
    names.set(identity, agentDisplayName(friendly[i], identity, mode, label));
  });
  return names;
}
