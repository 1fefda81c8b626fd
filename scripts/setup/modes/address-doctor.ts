/**
 * Doctor for `HANDOFF_MODE=address`: the address exists, is a chat address,
 * creates conversations in CONVERSATIONS_SERVICE_SID, and routes where
 * ADDRESS_ROUTES_TO says (for `webhook`, to this service's exact /interaction
 * URL). A .env from before ADDRESS_ROUTES_TO (TASKROUTER_* set,
 * ADDRESS_ROUTES_TO not) gets the functions' own message, with the value this
 * address calls for as its fix. Setup itself: address.ts.
 */
import {
  ADDRESS_ROUTES,
  DEFAULT_ADDRESS_ROUTE,
  type AddressRoute,
} from '../../../src/modes/address';
import {
  addProblems,
  fetchChecked,
  problemsOf,
  SETUP,
  type DoctorContext,
  type Problem,
} from '../checks';
import { checkRouting, routingOf } from '../routing';
import { checkFlow } from '../studio-flows';
import { autoOf, describeTarget, routeOf, ROUTING, type ChatAddress } from './address-shape';

/** ADDRESS_ROUTES_TO as the functions read it; undefined when they refuse it. */
function declaredRoute(ctx: DoctorContext): AddressRoute | undefined {
  if (ctx.refused('ADDRESS_ROUTES_TO')) return undefined;
  const value = ctx.value('ADDRESS_ROUTES_TO') ?? DEFAULT_ADDRESS_ROUTE;
  return ADDRESS_ROUTES.find((route) => route === value);
}

export async function checkAddress(ctx: DoctorContext): Promise<void> {
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
    if (route === 'studio' && flowSid) {
      // Any client of the address fills the pre-engagement data: `customer` there is forgeable.
      await checkFlow(ctx, 'Chat Address flow', flowSid, 'incomingConversationMessage', true);
    }
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
