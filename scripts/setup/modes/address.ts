/**
 * `HANDOFF_MODE=address`: a Flex Chat Address, and `ADDRESS_ROUTES_TO`, which
 * tells the service where the address sends each chat (src/modes/address.ts):
 * `studio` (auto-creation type studio: its Studio flow makes the task) or
 * `webhook` (type webhook: it calls this service's /interaction, which then
 * needs the TaskRouter routing and, locally, PUBLIC_BASE_URL).
 *
 * Setup: a Chat Address found (GET conversations /v1/Configuration/Addresses
 * ?Type=chat, every page of 50), or a new one (POST …/Addresses, Type=chat).
 * ADDRESS_ROUTES_TO is written from what the address really does, the
 * TaskRouter variables only for `webhook` (for `studio` they are emptied).
 * `--create-address` first reuses .env's address, or the one named
 * --address-name, when it routes where asked: run twice, it creates nothing twice.
 *
 * Doctor: the address exists, is a chat address, creates conversations in
 * CONVERSATIONS_SERVICE_SID, and routes where ADDRESS_ROUTES_TO says (for
 * `webhook`, to this service's exact /interaction URL). A .env from before
 * ADDRESS_ROUTES_TO (TASKROUTER_* set, ADDRESS_ROUTES_TO not) gets the
 * functions' own message, with the value this address calls for as its fix.
 */
import type {
  AddressConfigurationInstance as ChatAddress,
  AddressConfigurationListInstanceCreateOptions as AddressOptions,
} from 'twilio/lib/rest/conversations/v1/addressConfiguration';
import { INTERACTION_PATH } from '../../../src/config';
import {
  ADDRESS_ROUTES,
  DEFAULT_ADDRESS_ROUTE,
  type AddressRoute,
} from '../../../src/modes/address';
import { INTERACTION_WEBHOOK, interactionUrlOf } from '../../../src/modes/route';
import {
  addProblems,
  fetchChecked,
  problemsOf,
  SETUP,
  type DoctorContext,
  type Problem,
} from '../checks';
import { chooseResource } from '../choose-resource';
import { configProblems, type ModeContext } from '../context';
import { FLOW_FRIENDLY_NAME } from '../flow-definition';
import { valueOf, type Source } from '../plan';
import { decidePublicBaseUrl } from '../public-url';
import { checkRouting, decideRouting, pickRouting, routingOf } from '../routing';
import { checkFlow, chooseFlow } from '../studio-flows';
import { choose, SetupError } from '../terminal';
import { statusOf, step } from '../twilio';
import type { SetupMode } from './types';

/** An address's `auto_creation`, as Twilio reports it (the library leaves it untyped). */
interface AutoCreation {
  enabled?: boolean;
  type?: string;
  conversation_service_sid?: string | null;
  studio_flow_sid?: string | null;
  webhook_url?: string | null;
}

const autoOf = (a: ChatAddress) => (a.autoCreation ?? {}) as AutoCreation;

/** Where the address sends chats, as ADDRESS_ROUTES_TO says it; undefined for anything else. */
const routeOf = (a: ChatAddress): AddressRoute | undefined =>
  ADDRESS_ROUTES.find((route) => route === autoOf(a).type);

const describeTarget = (a: ChatAddress): string =>
  routeOf(a) === 'webhook'
    ? (autoOf(a).webhook_url ?? 'a webhook')
    : `Studio ${autoOf(a).studio_flow_sid ?? ''}`;

const ROUTING = ['TASKROUTER_WORKSPACE_SID', 'TASKROUTER_WORKFLOW_SID'] as const;

/* --- setup ---------------------------------------------------------------- */

async function setup(ctx: ModeContext): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  // A .env from before ADDRESS_ROUTES_TO (or with a value the functions
  // refuse): its value, and the routing guessed from it, may be replaced.
  const refused = configProblems(file.values).find((p) => p.field === 'ADDRESS_ROUTES_TO');
  if (refused) plan.broken.set('ADDRESS_ROUTES_TO', refused.problem);
  // Pages of at most 50 (the API refuses more); every page is read.
  const found = await step('list the Chat Addresses', () =>
    client.conversations.v1.addressConfigurations.list({ type: 'chat', pageSize: 50 }),
  );
  const { chosen, source } = await chooseResource(ctx, found, {
    variable: 'ADDRESS_SID',
    shape: 'IG…',
    what: 'Chat Address',
    kind: 'a Chat Address of this account',
    whereListed: 'pass one listed in Console > Flex > Channel management > Chat',
    question: 'Which Chat Address (Flex > Channel management > Chat)?',
    createLabel: 'Create a Chat Address for this service',
    label: (a) => `${a.sid}  "${a.friendlyName ?? a.address}"  -> ${describeTarget(a)}`,
    given: opts.address,
    create: opts.createAddress,
  });
  if (!chosen) return createAddress(ctx, found, source);
  term.say(`✔ Chat Address: ${chosen.sid} -> ${describeTarget(chosen)}`);
  await useAddress(ctx, chosen, source);
}

/** What an existing address implies for .env, decided by whoever chose the address. */
async function useAddress(ctx: ModeContext, address: ChatAddress, source: Source): Promise<void> {
  const { opts, plan } = ctx;
  plan.decide('ADDRESS_SID', address.sid, source);
  const route = routeOf(address);
  if (route === undefined) return; // doctor says where it routes
  plan.decide(
    'ADDRESS_ROUTES_TO',
    route,
    source,
    `${address.sid} routes to ${describeTarget(address)}`,
  );
  if (route === 'studio') return emptyRouting(ctx, source);
  // It calls /interaction: that needs the TaskRouter variables, and the URL
  // Twilio signs, which is the address's own.
  decideRouting(ctx, await pickRouting(ctx));
  if (opts.publicBaseUrl !== undefined) {
    await decidePublicBaseUrl(ctx, true);
    return;
  }
  const url = autoOf(address).webhook_url ?? '';
  const base = url.endsWith(INTERACTION_PATH) ? url.slice(0, -INTERACTION_PATH.length) : '';
  const publicBaseUrl = /^https?:\/\/[^?#]+$/.test(base) ? base : undefined;
  plan.decide('PUBLIC_BASE_URL', publicBaseUrl, source, `the address calls ${url}`);
}

/**
 * An address that routes to Studio: the TaskRouter variables are not used,
 * and emptied. In a .env from before ADDRESS_ROUTES_TO they were what routing
 * was guessed from: broken, so that even a mere proposal replaces them.
 */
function emptyRouting({ plan, file }: ModeContext, source: Source): void {
  const why = 'the address routes to Studio: Twilio never calls /interaction for its chats';
  for (const name of ROUTING) {
    if (plan.broken.has('ADDRESS_ROUTES_TO') && file.values[name]) {
      plan.broken.set(name, 'it was set for routing guessed before ADDRESS_ROUTES_TO');
    }
    plan.decide(name, '', source, why);
  }
}

const ROUTE_CHOICES = [
  { value: 'studio' as const, label: 'a Studio flow (Send to Flex)' },
  { value: 'webhook' as const, label: "this service's /interaction (no Studio)" },
];

/**
 * A new Chat Address, unless an earlier run made it: .env's address, or the
 * one named --address-name, is reused when it routes where asked. The name
 * must be free before anything (such as its Studio flow) is created.
 */
async function createAddress(ctx: ModeContext, found: ChatAddress[], source: Source) {
  const { opts, term, file, plan } = ctx;
  const route =
    opts.addressTarget ??
    (await choose(term, 'Where should the new address send each chat?', ROUTE_CHOICES, {
      flag: '--address-target',
      proposed: DEFAULT_ADDRESS_ROUTE,
    }));
  const name = opts.addressName;
  const named = found.find((a) => a.address === name);
  const reuse = [found.find((a) => a.sid === file.values.ADDRESS_SID), named].find(
    (a): a is ChatAddress => a !== undefined && routeOf(a) === route,
  );
  if (reuse) {
    term.say(
      `✔ Reusing Chat Address ${reuse.sid} ("${reuse.address}") -> ${describeTarget(reuse)} (setup creates one only when there is none)`,
    );
    return useAddress(ctx, reuse, source);
  }
  if (named) {
    throw new SetupError(
      `A Chat Address named "${name}" already exists (${named.sid}) and routes to ${describeTarget(named)}, ` +
        `not to ${route === 'studio' ? 'a Studio flow' : '/interaction'}. Nothing was created: ` +
        `pass --address ${named.sid} to use it as it is, or --address-name NAME to create another.`,
    );
  }
  const target = route === 'studio' ? await studioTarget(ctx, source) : await webhookTarget(ctx);
  const sid = plan.creates({ kind: 'Chat Address', flag: '--address' }, () =>
    createChatAddress(ctx, name, target()),
  );
  plan.decide('ADDRESS_SID', sid, source);
  plan.decide('ADDRESS_ROUTES_TO', route, source);
}

/** A new address's auto-creation: known once what it needs (its Studio flow) exists. */
type Target = () => Partial<AddressOptions>;

async function studioTarget(ctx: ModeContext, source: Source): Promise<Target> {
  const flow = await chooseFlow(ctx, { allowCreate: true });
  emptyRouting(ctx, source);
  return () => ({ 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': valueOf(flow.sid) });
}

async function webhookTarget(ctx: ModeContext): Promise<Target> {
  decideRouting(ctx, await pickRouting(ctx));
  const url = interactionUrlOf(await decidePublicBaseUrl(ctx, true));
  // The webhook the service itself points a conversation at (src/modes/route.ts).
  return () => ({
    'autoCreation.type': 'webhook',
    'autoCreation.webhookUrl': url,
    'autoCreation.webhookMethod': INTERACTION_WEBHOOK.method,
    'autoCreation.webhookFilters': [...INTERACTION_WEBHOOK.filters],
  });
}

async function createChatAddress(ctx: ModeContext, name: string, target: Partial<AddressOptions>) {
  const created = await step('create the Chat Address', async () => {
    try {
      return await ctx.client.conversations.v1.addressConfigurations.create({
        type: 'chat',
        address: name,
        friendlyName: FLOW_FRIENDLY_NAME,
        'autoCreation.enabled': true,
        'autoCreation.conversationServiceSid': ctx.serviceSid,
        ...target,
      });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      throw new SetupError(
        `Could not create the Chat Address: one named "${name}" already exists (HTTP 409). ` +
          'Pass --address IG… to use it (Console > Flex > Channel management > Chat), or --address-name NAME for another.',
      );
    }
  });
  const to =
    target['autoCreation.webhookUrl'] ?? `Studio flow ${target['autoCreation.studioFlowSid']}`;
  ctx.term.say(`✔ Created Chat Address ${created.sid} ("${name}") -> ${to}`);
  return created.sid;
}

/* --- doctor --------------------------------------------------------------- */

/** ADDRESS_ROUTES_TO as the functions read it; undefined when they refuse it. */
function declaredRoute(ctx: DoctorContext): AddressRoute | undefined {
  if (ctx.refused('ADDRESS_ROUTES_TO')) return undefined;
  const value = ctx.value('ADDRESS_ROUTES_TO') ?? DEFAULT_ADDRESS_ROUTE;
  return ADDRESS_ROUTES.find((route) => route === value);
}

async function check(ctx: DoctorContext): Promise<void> {
  const sid = ctx.value('ADDRESS_SID');
  const address =
    sid &&
    (await fetchChecked(
      ctx.add,
      'ADDRESS_SID',
      'read the Chat Address',
      [
        `Chat Address ${sid} does not exist on this account`,
        `${SETUP}: it proposes another (or pass --address IG…, or --create-address)`,
      ],
      () => ctx.client.conversations.v1.addressConfigurations(sid).fetch(),
    ));
  const declared = declaredRoute(ctx);
  if (address) {
    const route = routeOf(address);
    const agrees = route !== undefined && route === declared ? ', as ADDRESS_ROUTES_TO says' : '';
    const to = route === 'studio' ? 'Studio' : '/interaction';
    const ok = `Chat Address ${address.sid} creates conversations and routes them to ${to}${agrees}`;
    addProblems(ctx.add, 'ADDRESS_SID', addressProblems(ctx, address, declared), ok);
    checkRoute(ctx, address, declared);
    const flowSid = autoOf(address).studio_flow_sid;
    if (route === 'studio' && flowSid) await checkFlow(ctx, 'Chat Address flow', flowSid);
  }
  const routing = declared === 'webhook' ? routingOf(ctx.value) : undefined;
  if (routing) await checkRouting(ctx, routing);
}

/** What is wrong with the address itself (where it routes against ADDRESS_ROUTES_TO: checkRoute). */
function addressProblems(ctx: DoctorContext, a: ChatAddress, declared?: AddressRoute): Problem[] {
  const { sid, type } = a;
  const auto = autoOf(a);
  const serviceSid = ctx.value('CONVERSATIONS_SERVICE_SID');
  const service = auto.conversation_service_sid;
  const url = auto.webhook_url ?? '';
  const route = routeOf(a);
  return problemsOf(
    [type !== 'chat', `${sid} is a "${type}" address, not a chat address`, SETUP],
    [
      auto.enabled !== true,
      `${sid} does not create conversations (auto-creation is off)`,
      'turn on its Flex integration in Console > Flex > Channel management',
    ],
    [
      !!service && !!serviceSid && service !== serviceSid,
      `${sid} creates conversations in ${service}, not in CONVERSATIONS_SERVICE_SID (${serviceSid}): customers' tokens would not reach them`,
      'use the same service for both',
    ],
    [
      route === undefined,
      `${sid} routes to "${auto.type ?? 'nothing'}", neither a Studio flow nor a webhook`,
      `point it at a Studio flow or this service's /interaction (Console > Flex > Channel management > Chat), or ${SETUP} -- --create-address`,
    ],
    [
      route === 'studio' && !auto.studio_flow_sid,
      `${sid} routes to Studio but names no Studio flow`,
      `choose its flow in Console > Flex > Channel management > Chat, or ${SETUP} -- --create-address`,
    ],
    [
      route === 'webhook' &&
        declared === 'webhook' &&
        !!ctx.interactionUrl &&
        url !== ctx.interactionUrl,
      `${sid} routes to ${url}, not to this service's ${ctx.interactionUrl}`,
      'point the address at this URL (Console > Flex > Channel management), or set PUBLIC_BASE_URL to match',
    ],
  );
}

/**
 * ADDRESS_ROUTES_TO against where the address really sends chats. Refused
 * (a .env from before it): the configuration row gets the value to set.
 */
function checkRoute(ctx: DoctorContext, a: ChatAddress, declared?: AddressRoute): void {
  const actual = routeOf(a);
  if (actual === undefined) return; // the ADDRESS_SID row says where it routes
  const leftover = ROUTING.some((name) => ctx.value(name));
  const empty = 'empty TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID';
  if (declared === undefined) {
    const also = actual === 'studio' && leftover ? ` and ${empty}` : '';
    const to = describeTarget(a);
    ctx.refine(
      'ADDRESS_ROUTES_TO',
      `set ADDRESS_ROUTES_TO=${actual} (${a.sid} sends chats to ${to})${also}, or ${SETUP}`,
    );
  } else if (declared !== actual) {
    ctx.add('ADDRESS_ROUTES_TO', 'problem', ...routeMismatch(ctx, a, declared));
  } else if (actual === 'studio' && leftover) {
    ctx.add(
      'TASKROUTER_WORKSPACE_SID',
      'warn',
      `${a.sid} routes to Studio, as ADDRESS_ROUTES_TO says, so TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID are not used`,
      `${empty} in .env (npm run setup -- --address ${a.sid} does it)`,
    );
  }
}

function routeMismatch(ctx: DoctorContext, a: ChatAddress, declared: AddressRoute): Problem {
  const rerun = `or ${SETUP} -- --address ${a.sid}`;
  if (declared === 'webhook') {
    return [
      `ADDRESS_ROUTES_TO is webhook, but ${a.sid} sends chats to ${describeTarget(a)}: Twilio never calls /interaction for them`,
      `set ADDRESS_ROUTES_TO=studio, ${rerun}`,
    ];
  }
  const unset = ctx.value('ADDRESS_ROUTES_TO') === undefined ? ' (the default)' : '';
  const routed = routingOf(ctx.value) !== undefined;
  return [
    `${a.sid} routes to a webhook (${describeTarget(a)}), but ${routed ? '' : 'TASKROUTER_WORKSPACE_SID and TASKROUTER_WORKFLOW_SID are not set and '}ADDRESS_ROUTES_TO is ${declared}${unset}, so /interaction would refuse it`,
    `set ADDRESS_ROUTES_TO=webhook${routed ? '' : ' and both TaskRouter variables (the workspace and workflow that route web chats)'}, ${rerun}`,
  ];
}

export const address: SetupMode = {
  label: 'Flex creates the chat for a Chat Address, in one request',
  flags: ['address', 'create-address', 'address-target', 'address-name'],
  otherChatService: 'problem',
  setup,
  check,
};
