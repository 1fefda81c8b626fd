/**
 * One interface for what `npm run setup` and its doctor do for each
 * HANDOFF_MODE, as src/modes/ has one for what the service does. A mode is
 * one module here (studio.ts, webhook.ts, address.ts, flex-flow.ts) that
 * says, in one place:
 *
 *   - how the mode question lists it, and which options only it reads;
 *   - `setup`: finds on the account what the mode needs (or creates it on
 *     request), decides its .env variables in the plan and queues what it
 *     creates (nothing is created before the plan is settled: see plan.ts);
 *   - `check`: what doctor checks for it against the account.
 *
 * index.ts maps names to modules; nothing else in scripts/setup branches on
 * a mode's name. What several modes share is outside this folder:
 * studio-flows.ts, routing.ts, public-url.ts, choose-resource.ts.
 */
import type { DoctorContext, Status } from '../checks';
import type { ModeContext } from '../context';
import type { OptionName } from '../options';

export interface SetupMode {
  /** What the mode question says of it. */
  readonly label: string;
  /** The options only this mode reads: given, they choose it (`--create-address` alone means address). */
  readonly flags: readonly OptionName[];
  /**
   * Flex's chat service not being the default Conversations service: a
   * problem where Flex Conversations creates the chats; a legacy Flex Flow
   * names its own service.
   */
  readonly otherChatService: Exclude<Status, 'ok'>;
  setup(ctx: ModeContext): Promise<void>;
  check(ctx: DoctorContext): Promise<void>;
}
