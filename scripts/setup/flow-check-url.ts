/**
 * Setup: the URL the flow it creates checks `customer` at (this service's
 * /check-customer, flow-definition.ts), and bringing a flow an earlier run
 * created up to date with it.
 *
 *   the URL   PUBLIC_BASE_URL (--public-base-url, decided, else .env's unless
 *             --domain names another host: a tunnel's left in .env is not
 *             the deployed service), else the deployed domain (--domain
 *             HOST); else, only when customer
 *             tokens are on (or asked for), the question PUBLIC_BASE_URL is
 *             asked by (empty allowed). Anonymous-only setups are asked
 *             nothing new: their flow has no check, and a chat with a
 *             `customer` then reaches Flex without it.
 *   a reused  setup's flow from an earlier run (by name) that does not check
 *   flow      at that URL gets a new published revision: from web-chat.flow.json,
 *             with its own workflow and channel, when it is exactly as setup
 *             made it (flow-templates.ts: any version, any URL, with or
 *             without the check); else, when it has setup's check widget, the
 *             same definition with only check_customer's URL changed; else
 *             (edited in Studio, no check of setup's) none: it is left as it
 *             is, said, and doctor judges it.
 */
import { problemWith, type ModeContext } from './context';
import { customerCheckOf } from './flow-customer';
import {
  checkCustomerUrlOf,
  reachableWidgets,
  webChatFlowDefinition,
  type FlowPlaceholders,
} from './flow-definition';
import { madeBySetup, withCheckUrl } from './flow-templates';
import { decidePublicBaseUrl } from './public-url';
import { step } from './twilio';

const LOCAL = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
const TOKEN_KEYS = ['CUSTOMER_TOKEN_SECRET', 'CUSTOMER_PUBLIC_KEY', 'CUSTOMER_JWKS_URL'] as const;

/** Whether `url` is on `host` (false for no URL, or one that is not a URL). */
function sameHost(url: string | undefined, host: string): boolean {
  try {
    return url !== undefined && new URL(url).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Customer tokens asked for by a flag, or on in .env. */
function customerTokensWanted({ opts, file }: ModeContext): boolean {
  return (
    opts.customerTokens === true ||
    opts.customerIssuer !== undefined ||
    opts.customerAudience !== undefined ||
    TOKEN_KEYS.some((key) => (file.values[key] ?? '') !== '')
  );
}

/** This service's /check-customer for the flow; undefined: a flow without the check. */
export async function flowCheckUrl(ctx: ModeContext): Promise<string | undefined> {
  const { opts, file, plan, term } = ctx;
  // A flag is decided (and checked) where it is given; in studio mode, here.
  if (opts.publicBaseUrl !== undefined && !plan.decisions.has('PUBLIC_BASE_URL')) {
    const base = await decidePublicBaseUrl(ctx, false);
    if (base) return checkCustomerUrlOf(base);
  }
  const decided = plan.decisions.get('PUBLIC_BASE_URL')?.value;
  const deployed = !LOCAL.test(opts.domainName);
  const base =
    (typeof decided === 'string' ? decided : undefined) ??
    // --domain: the deployed service, which refuses a PUBLIC_BASE_URL of another host
    // (a tunnel's, left in .env), and the check must not stay at that tunnel.
    (deployed && !sameHost(file.values.PUBLIC_BASE_URL, opts.domainName)
      ? undefined
      : file.values.PUBLIC_BASE_URL);
  if (base && !problemWith('PUBLIC_BASE_URL', base)) return checkCustomerUrlOf(base);
  if (deployed) return checkCustomerUrlOf(`https://${opts.domainName}`);
  if (!customerTokensWanted(ctx)) return undefined;
  term.say(
    "Signed-in customers: the Studio flow checks each chat's customer at this service's /check-customer, so it needs the URL Twilio reaches this service at (or run setup again with --domain <your service>.twil.io once deployed).",
  );
  const asked = await decidePublicBaseUrl(ctx, false);
  if (asked) return checkCustomerUrlOf(asked);
  term.say(
    '! The flow will have no customer check: signed-in customers reach agents without customer until setup runs again with a URL.',
  );
  return undefined;
}

interface ReusedFlow {
  sid: string;
  friendlyName: string;
  definition: unknown;
}

/** The workflow and channel its Send to Flex uses; undefined when it has none of setup's shape. */
function routingOf(definition: unknown): Omit<FlowPlaceholders, 'CHECK_CUSTOMER_URL'> | undefined {
  for (const widget of reachableWidgets(definition).values()) {
    const { workflow, channel } = (widget.properties ?? {}) as Record<string, unknown>;
    if (
      widget.type === 'send-to-flex' &&
      typeof workflow === 'string' &&
      typeof channel === 'string'
    ) {
      return { WORKFLOW_SID: workflow, CHAT_TASK_CHANNEL_SID: channel };
    }
  }
  return undefined;
}

/** Queues the new revision a reused flow of setup's needs to check at `url` (see above). */
export async function updateReusedFlow(ctx: ModeContext, flow: ReusedFlow): Promise<void> {
  const { term } = ctx;
  const url = await flowCheckUrl(ctx);
  if (url === undefined || customerCheckOf(flow.definition, url).verdict === 'checked') return;
  const routing = routingOf(flow.definition);
  if (routing && madeBySetup(flow.definition)) {
    const definition = webChatFlowDefinition({ ...routing, CHECK_CUSTOMER_URL: url });
    publish(ctx, flow, definition, {
      doing: ` to check customer at ${url}`,
      commitMessage: 'Updated by npm run setup: customer checked at /check-customer',
    });
    return;
  }
  const moved = withCheckUrl(flow.definition, url);
  if (moved !== undefined) {
    term.say(
      `Studio flow ${flow.sid} was edited in Studio: setup changes only its check_customer URL, and keeps your edits.`,
    );
    publish(ctx, flow, moved, {
      doing: `: check_customer's URL to ${url}`,
      commitMessage: `Updated by npm run setup: check_customer's URL to ${url}, nothing else`,
    });
    return;
  }
  term.say(
    `! Studio flow ${flow.sid} was edited in Studio, so setup leaves it as it is (publishing its own definition would lose your edits): doctor says whether it checks customer. To get setup's check, add it as web-chat.flow.json has it (check_customer, send_to_flex_checked), or create setup's flow (npm run setup -- --create-studio-flow after renaming this one) and move your edits into it.`,
  );
}

/** Queues publishing `definition` as the flow's new revision. */
function publish(
  { term, plan, client }: ModeContext,
  flow: ReusedFlow,
  definition: unknown,
  { doing, commitMessage }: { doing: string; commitMessage: string },
): void {
  plan.queue(async () => {
    term.say(`… Updating Studio flow ${flow.sid} "${flow.friendlyName}"${doing}`);
    await step('update the Studio flow', () =>
      client.studio.v2.flows(flow.sid).update({ status: 'published', definition, commitMessage }),
    );
    term.say(
      `✔ Published a new revision of Studio flow ${flow.sid} (Studio keeps the earlier ones)`,
    );
  });
}
