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
 * Doctor: address-doctor.ts.
 */
import type { AddressConfigurationListInstanceCreateOptions as AddressOptions } from 'twilio/lib/rest/conversations/v1/addressConfiguration';
import { INTERACTION_PATH } from '../../../src/config';
import { DEFAULT_ADDRESS_ROUTE } from '../../../src/modes/address';
import { INTERACTION_WEBHOOK, interactionUrlOf } from '../../../src/modes/route';
import { chooseResource } from '../choose-resource';
import { configProblems, type ModeContext } from '../context';
import { FLOW_FRIENDLY_NAME } from '../flow-definition';
import { valueOf, type Source } from '../plan';
import { decidePublicBaseUrl } from '../public-url';
import { decideRouting, pickRouting } from '../routing';
import { chooseFlow } from '../studio-flows';
import { choose, SetupError } from '../terminal';
import { statusOf, step } from '../twilio';
import { checkAddress } from './address-doctor';
import { autoOf, describeTarget, routeOf, ROUTING, type ChatAddress } from './address-shape';
import type { SetupMode } from './types';

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

export const address: SetupMode = {
  label: 'Flex creates the chat for a Chat Address, in one request',
  flags: ['address', 'create-address', 'address-target', 'address-name'],
  otherChatService: 'problem',
  setup,
  check: checkAddress,
};
