/**
 * Doctor: what agents' trust in a chat's attributes relies on.
 *
 * Conversations roles (CONVERSATIONS_SERVICE_SID's configuration and roles):
 * a customer's browser holds an Access Token for the Conversations SDK, with
 * the service's default service role (its user) and default conversation
 * role (its participant: /start-chat and Flex add customers without naming
 * a role). If either grants `editConversationAttributes`, the customer can
 * rewrite the conversation's attributes with their own token: `customer`
 * (the verified claims), `from`, the pre-engagement answers, the recorded
 * Interaction. That is a problem when customer tokens are on (agents are
 * told `customer` is verified) and a warning otherwise. Permissions that
 * reach other people's messages or participants (`editAnyMessage`,
 * `addParticipant`, `deleteConversation`, ...) are warnings. Flex's own
 * defaults (`guest` for participants) pass.
 *
 * `createConversation` on the default service role is a warning: with it, a
 * customer's token makes conversations of its own, with any attributes and
 * messages. /transcript and /survey refuse those (src/chat-seal.ts; in
 * address mode but for a copy of the customer's own seal, to their own sealed
 * address) and no hand-off reaches them, so little is at stake, and Flex's
 * own `user` role grants it: a problem (exit 1) would fail every default
 * account. Customers only join the conversations this service makes. The
 * service's default conversation creator role (the participant role of
 * whoever creates one), when the configuration names a role other than the
 * ones above, is checked like them, but gives warnings only: it applies in
 * conversations the customer made, whose attributes they wrote anyway.
 *
 * Where `customer` goes unchecked: with customer tokens on, address mode
 * routed to a Studio flow (and flex-flow mode) hand the pre-engagement data,
 * `customer` included, to a flow that cannot check its signature; anything
 * else using the same Chat Address could put a `customer` of its own there.
 * A warning, with the ways out (docs/signed-in.md).
 */
import type { Env } from '../../src/config';
import { customerTokensOn, readCustomer } from '../../src/config/customer';
import { EnvReader } from '../../src/config/reader';
import type { Add, Status } from './checks';
import { explain, type Client } from './twilio';

const NAME = 'Conversations roles';

/** Lets a customer rewrite what agents are told about the chat. */
export const REWRITES_ATTRIBUTES = ['editConversationAttributes'];

/** Lets a customer make conversations of their own, with attributes of their choosing. */
export const CREATES_CONVERSATIONS = ['createConversation'];

/** Reach other participants' messages, participants or conversations: no customer needs them. */
export const OVERREACHING = [
  'editAnyMessage',
  'editAnyMessageAttributes',
  'deleteAnyMessage',
  'addParticipant',
  'removeParticipant',
  'deleteConversation',
  'editAnyUserInfo',
];

interface Role {
  sid: string;
  friendlyName: string;
  permissions: string[];
}

interface CustomerRole {
  /** How a customer gets it. */
  as: string;
  role: Role;
}

function tokensOn(env: Env): boolean {
  const read = new EnvReader(env);
  const settings = readCustomer(read);
  return read.ok && customerTokensOn(settings);
}

/** The service's two default roles a customer holds; undefined after a problem row. */
async function customerRoles(
  client: Client,
  serviceSid: string,
  add: Add,
): Promise<CustomerRole[] | undefined> {
  const service = client.conversations.v1.services(serviceSid);
  try {
    const configuration = await service.configuration().fetch();
    const defaults: [string, string | null][] = [
      [
        'the default conversation role (their participant)',
        configuration.defaultConversationRoleSid,
      ],
      ['the default service role (their user)', configuration.defaultChatServiceRoleSid],
      [
        'the default conversation creator role (their participant in one they create)',
        configuration.defaultConversationCreatorRoleSid,
      ],
    ];
    const roles: CustomerRole[] = [];
    const seen = new Set<string>();
    for (const [as, sid] of defaults) {
      // None set: Twilio's own default, which grants no such permission. Read once.
      if (!sid || seen.has(sid)) continue;
      seen.add(sid);
      const role = await service.roles(sid).fetch();
      roles.push({
        as,
        role: { sid, friendlyName: role.friendlyName, permissions: role.permissions },
      });
    }
    return roles;
  } catch (error) {
    add(NAME, 'warn', explain(error, "read the Conversations service's roles"));
    return undefined;
  }
}

export async function checkRoles(
  client: Client,
  serviceSid: string,
  env: Env,
  add: Add,
): Promise<void> {
  const roles = await customerRoles(client, serviceSid, add);
  if (!roles) return;
  const verified = tokensOn(env);
  let found = false;
  for (const { as, role } of roles) {
    const name = `'${role.friendlyName}' (${role.sid})`;
    const fix = `remove them from ${name} in Console > Conversations > Services > ${serviceSid} > Roles, or make a role without them ${as.replace(/ \(.*/, '')} (Flex's default: guest for participants); Flex gives agents their own role`;
    const rewrites = role.permissions.filter((p) => REWRITES_ATTRIBUTES.includes(p));
    if (rewrites.length > 0) {
      found = true;
      // In a conversation they create, the customer wrote every attribute anyway: at most a warning.
      const status: Status = verified && !as.includes('creator') ? 'problem' : 'warn';
      const stake = verified
        ? 'including `customer`, which agents are told is verified'
        : 'what agents are told about the chat';
      add(
        NAME,
        status,
        `customers hold ${as}, ${name}, which grants ${rewrites.join(', ')}: with their own token they could rewrite the conversation's attributes, ${stake}`,
        fix,
      );
    }
    const creates = role.permissions.filter((p) => CREATES_CONVERSATIONS.includes(p));
    if (creates.length > 0) {
      found = true;
      add(
        NAME,
        'warn',
        `customers hold ${as}, ${name}, which grants ${creates.join(', ')}: with their own token they could make conversations of their own, with any attributes and messages (this service's /transcript and /survey take only its own chats, sealed: docs/api.md)`,
        `remove it from ${name} in Console > Conversations > Services > ${serviceSid} > Roles (customers only join conversations this service makes; Flex gives agents their own role)`,
      );
    }
    const overreach = role.permissions.filter((p) => OVERREACHING.includes(p));
    if (overreach.length > 0) {
      found = true;
      add(
        NAME,
        'warn',
        `customers hold ${as}, ${name}, which grants ${overreach.join(', ')}: more than a customer needs (other people's messages or participants)`,
        fix,
      );
    }
  }
  if (!found) {
    const names = roles.map(({ role }) => role.friendlyName).join(', ') || "Twilio's defaults";
    add(
      NAME,
      'ok',
      `customers' roles (${names}) cannot edit conversation attributes or create conversations`,
    );
  }
}

/**
 * With customer tokens on: whether a flow that cannot check the signature
 * receives `customer` (address mode routed to Studio, flex-flow mode).
 */
export function checkUncheckedCustomer(env: Env, add: Add): void {
  if (!tokensOn(env)) return;
  const mode = env.HANDOFF_MODE?.trim();
  const route = env.ADDRESS_ROUTES_TO?.trim() || 'studio';
  const unchecked =
    (mode === 'address' && route === 'studio' && 'the Chat Address runs a Studio flow') ||
    (mode === 'flex-flow' && "the Flex Flow's integration");
  if (!unchecked) return;
  add(
    'customer',
    'warn',
    `${unchecked}, which passes pre_engagement_data.customer to the task without checking its signature: anything else using the same ${mode === 'address' ? 'Chat Address' : 'Flex Flow'} could put a customer of its own there`,
    'route the address to /interaction (ADDRESS_ROUTES_TO=webhook), which checks it; or use studio or webhook mode; or have the flow check customer.signature (docs/signed-in.md)',
  );
}
