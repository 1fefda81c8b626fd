/** Every HANDOFF_MODE the bench measures, with its environment and the account state its requests need. */
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';

export const BENCH_MODES = [
  { mode: 'studio', env: TEST_ENV, seed: () => undefined },
  { mode: 'webhook', env: WEBHOOK_ENV, seed: () => undefined },
  { mode: 'address', env: ADDRESS_ENV, seed: seedChatAddress },
  { mode: 'flex-flow', env: FLEX_FLOW_ENV, seed: seedFlexFlow },
] as const;

export type BenchMode = (typeof BENCH_MODES)[number];
