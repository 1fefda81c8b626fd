/**
 * npm run bench: measures what docs/performance.md (and the README) claim.
 * Each section is one module in scripts/bench/, printing one Markdown table:
 *
 *   start-chat   for every HANDOFF_MODE side by side: Twilio requests per
 *                chat, sequential round trips on the critical path (counted
 *                from the mock's request timestamps), and wall time
 *   budget       the same with MAX_CHATS_PER_MINUTE: within budget, the start
 *                that opens the minute, over budget; and a flood against a
 *                budget (exactly the budget's chats, or the bench fails)
 *   handoff      /interaction, the delivery that hands off (webhook mode):
 *                Twilio requests, round trips, wall time
 *   end-chat     /end-chat for each way a chat is closed: requests, round
 *                trips, wall time; 10 ends of one chat at once (one notice,
 *                or the bench fails); /refresh-token's check that the chat
 *                is open
 *   concurrency  many deliveries at once for one conversation: exactly one
 *                Interaction (the bench fails otherwise)
 *   spikes       200 customers within a second per mode against Twilio's rate
 *                limits, each retrying as the widget does: time to start
 *                (p50, p95, max), lost, duplicated
 *   challenge    what the challenge adds to /start-chat per mode (requests,
 *                round trips, CHALLENGE off and on), and its solve time in
 *                headless Chromium at the default difficulty (median, p95)
 *   handler-time handler time with a zero-latency local mock (median)
 *   availability GET /availability per configuration and /start-chat refused
 *                outside hours: Twilio requests, round trips, handler time
 *   customer-tokens  /start-chat for a new signed-in customer (HS256, ES256
 *                with a JWKS URL cold and warm) vs anonymous: Twilio requests,
 *                round trips, JWKS requests, wall time
 *   cold-start   time to require() each built function in a fresh Node
 *                process (median), next to require('twilio') alone
 *   page-weight  bytes shipped (first load vs. the on-demand SDK bundle)
 *   launcher     time until the launcher is interactive in headless Chromium
 *   sdk-preload  per preloadSdk setting: JS a visitor who never chats downloads,
 *                and a quick customer's wait after "Start chat" for the SDK
 *   after-chat   /survey (with and without its webhook) and /transcript (chats
 *                of 10 to 5,000 messages): Twilio requests, round trips,
 *                webhook and SendGrid requests, the email's size, wall time
 *
 * Everything runs locally against the local Twilio fake (dev/twilio-fake/);
 * nothing leaves 127.0.0.1.
 */
import { TwilioMock } from '../dev/twilio-fake/twilio-mock';
import { afterChatCost } from './bench/after-chat';
import { availabilityCost } from './bench/availability';
import { startChatBudget } from './bench/budget';
import { challengeCost, challengeSolveTime } from './bench/challenge';
import { coldStart } from './bench/cold-start';
import { customerTokenCost } from './bench/customer-tokens';
import { concurrentDeliveries } from './bench/concurrency';
import { continuityByMode } from './bench/continuity';
import { endChatByMode, endChatConcurrency } from './bench/end-chat';
import { interactionHandOff } from './bench/handoff';
import { handlerTime } from './bench/handler-time';
import { launcherTiming } from './bench/launcher';
import { pageWeight } from './bench/page-weight';
import { sdkPreload } from './bench/sdk-preload';
import { spikeFigures } from './bench/spikes';
import { startChatByMode } from './bench/start-chat';
import { print } from './bench/table';
import { buildAll } from './build';

// The bench's output is its own (print); the functions' JSON logs are muted.
for (const level of ['log', 'info', 'warn', 'error'] as const) console[level] = () => undefined;

async function main(): Promise<void> {
  await buildAll();
  // The in-process sections share one mock; the launcher starts its own.
  const mock = await TwilioMock.start({ validate: false });
  try {
    await startChatByMode(mock);
    await continuityByMode(mock);
    await startChatBudget(mock);
    await interactionHandOff(mock);
    await endChatByMode(mock);
    await endChatConcurrency(mock);
    await concurrentDeliveries(mock);
    await challengeCost(mock);
    await handlerTime(mock);
    await availabilityCost(mock);
    await customerTokenCost(mock);
    await afterChatCost(mock);
  } finally {
    await mock.stop();
  }
  await spikeFigures();
  coldStart();
  await pageWeight();
  await launcherTiming();
  await sdkPreload();
  await challengeSolveTime();
  print(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

main().then(
  // Exit at once: esbuild's service and Playwright's driver can hold handles open.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
