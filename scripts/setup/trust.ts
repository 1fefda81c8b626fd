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
 * Where `customer` goes: with customer tokens on, the Studio flow chats go
 * to (studio mode's, the Chat Address's, the Flex Flow's) must give its task
 * `customer` only through this service's /check-customer (flow-customer.ts):
 * OK when it does; a problem when it passes one unchecked from data others
 * can write (a Chat Address's or Flex Flow's pre-engagement data) or checks
 * at another URL; a warning when it passes one this service wrote unchecked
 * (studio mode: the roles above guard it), has no check (signed-in customers
 * then reach agents without `customer`), or is not setup's and cannot be
 * judged. A Flex Flow's task integration cannot check at all: a warning.
 * A check at a URL off the deployed `*.twil.io` domain (a tunnel) is a
 * warning of its own (`customer check URL`).
 */
import type { Env } from '../../src/config';
import { customerTokensOn, readCustomer } from '../../src/config/customer';
import { EnvReader } from '../../src/config/reader';
import type { Add, Status } from './checks';
import { customerCheckOf, type FlowCustomer } from './flow-customer';
import type { ChatTrigger } from './flow-definition';
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

/** Whether customer tokens are on (configured well enough to verify any). */
export function customerTokensAreOn(env: Env): boolean {
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
  const verified = customerTokensAreOn(env);
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

/** The row about what a flow does with `customer`. */
export const CUSTOMER_ROW = 'customer';

/** How doctor's customer row tells users to get setup's checked flow. */
const RERUN =
  'run npm run setup (with PUBLIC_BASE_URL, or --domain <your service>.twil.io once deployed): it gives the flow setup creates the check (docs/signed-in.md)';

export interface FlowCustomerOptions {
  /** This service's /check-customer; undefined when it cannot be told. */
  url: string | undefined;
  /** The Trigger event chats start the flow with. */
  event: ChatTrigger;
  /**
   * Whether others can write where the flow reads `customer` (a Chat
   * Address's or a Flex Flow's pre-engagement data): an unchecked one is
   * then a problem, not a warning.
   */
  forgeable: boolean;
}

/**
 * With customer tokens on: whether the flow chats go to gives its task
 * `customer` only through this service's check (flow-customer.ts).
 */
export function checkFlowCustomer(
  add: Add,
  flow: { sid: string; friendlyName: string; definition: unknown },
  { url, event, forgeable }: FlowCustomerOptions,
): void {
  const label = `Studio flow ${flow.sid} ("${flow.friendlyName}")`;
  const found = customerCheckOf(flow.definition, url, event);
  addCustomerRow(add, label, found, url, forgeable);
  if (found.verdict === 'checked' || found.verdict === 'other-url') {
    warnCheckOffTwilio(add, label, found.url);
  }
}

/** The `customer` row for what customerCheckOf found. */
function addCustomerRow(
  add: Add,
  label: string,
  found: FlowCustomer,
  url: string | undefined,
  forgeable: boolean,
): void {
  const where = forgeable
    ? 'anything else using the same address could put a customer of its own there, marked verified'
    : 'only the Conversations roles keep a customer from rewriting it (Conversations roles row)';
  switch (found.verdict) {
    case 'checked':
      add(
        CUSTOMER_ROW,
        'ok',
        `${label} gives its task customer only when ${found.url} finds this service's signature`,
      );
      return;
    case 'no-check':
      add(
        CUSTOMER_ROW,
        'warn',
        `${label} has no customer check: signed-in customers reach agents without customer (nothing unchecked reaches them)`,
        RERUN,
      );
      return;
    case 'other-url':
      if (url === undefined) {
        add(
          CUSTOMER_ROW,
          'warn',
          `${label} checks customer at ${found.url}; this service's URL cannot be told here (no PUBLIC_BASE_URL, run locally)`,
          'run doctor with --domain <your service>.twil.io to compare',
        );
      } else {
        add(
          CUSTOMER_ROW,
          'problem',
          `${label} checks customer at ${found.url}, not at this service's ${url}: whatever answers there decides what agents are told is verified`,
          RERUN,
        );
      }
      return;
    case 'unchecked':
      add(
        CUSTOMER_ROW,
        forgeable ? 'problem' : 'warn',
        `${label} passes customer to the task unchecked (widget ${found.widget}): ${where}`,
        RERUN,
      );
      return;
    case 'unknown':
      add(
        CUSTOMER_ROW,
        'warn',
        `${label}: its widget ${found.widget} is not setup's, so doctor cannot tell whether customer reaches the task unchecked`,
        "give the task customer only from /check-customer's answer, as setup's flow does, or replace the flow with setup's (npm run setup -- --create-studio-flow)",
      );
  }
}

/** The row about where the flow's check runs. */
export const CHECK_URL_ROW = 'customer check URL';

/**
 * A check anywhere but the deployed service (`*.twil.io`; Functions have no
 * custom domains here) is a warning: setup writes PUBLIC_BASE_URL, a tunnel
 * while developing, into the flow, and whoever answers that URL decides which
 * customers agents are told are verified. A tunnel's hostname outlives the
 * tunnel (ngrok and cloudflared hand names out again), so it can come to
 * answer `verified: true` for anyone.
 */
function warnCheckOffTwilio(add: Add, label: string, checkUrl: string): void {
  if (/\.twil\.io$/i.test(hostOf(checkUrl))) return;
  add(
    CHECK_URL_ROW,
    'warn',
    `${label} checks customer at ${checkUrl}, not on a deployed *.twil.io domain: whoever answers there decides which customers agents are told are verified, and a tunnel's hostname can later be someone else's, who could answer verified: true for any customer`,
    "once deployed, run npm run setup -- --domain <your service>.twil.io: it moves the flow's check to the deployed service (keep tunnel URLs for development)",
  );
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
};

/**
 * With customer tokens on, a Flex Flow's task integration makes the task
 * from the pre-engagement data itself: nothing can check `customer` there.
 */
export function warnUncheckedTaskIntegration(add: Add, flexFlowSid: string): void {
  add(
    CUSTOMER_ROW,
    'warn',
    `Flex Flow ${flexFlowSid}'s task integration passes pre_engagement_data.customer to the task without checking its signature: anything else using the same Flex Flow could put a customer of its own there`,
    'use studio or address mode (HANDOFF_MODE), whose flow or /interaction checks it; Flex Flows reached end of life on 2026-06-01 (docs/signed-in.md)',
  );
}
