/**
 * One interface for what setup and doctor do per HANDOFF_MODE, as src/modes/
 * has one for the service: a mode is one module here (studio, webhook,
 * address, flex-flow). `setup` finds on the account what the mode needs (or
 * creates it on request) and decides its .env variables in the plan, queuing
 * any creation (plan.ts); `check` is what doctor checks for it. index.ts maps
 * names to modules; nothing else in scripts/setup branches on a mode's name.
 * What several modes share: studio-flows.ts, routing.ts, public-url.ts,
 * choose-resource.ts.
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
