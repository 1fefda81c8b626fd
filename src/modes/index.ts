/**
 * The hand-off modes by name (`HANDOFF_MODE`): the one place that maps a
 * mode's name to its module. Adding a mode is one module and one line here.
 *
 * @example
 *   const handoff = readHandoff(read, runtime, 'studio'); // {mode: 'studio', studioFlowSid}
 *   const { conversationSid } = await startChat(client, config, handoff, chat);
 */
import type { Twilio } from 'twilio';
import { chatSeal, firstEmail } from '../chat-seal';
import type { EnvReader, RuntimeInfo } from '../config/reader';
import { ConfigError, type FieldProblem } from '../errors';
import { address } from './address';
import { flexFlow } from './flex-flow';
import { studio } from './studio';
import type {
  ChatsConfig,
  ChatStart,
  HandoffModule,
  InteractionRoute,
  SingleUse,
  StartedChat,
} from './types';
import { participantIdentity } from './types';
import { webhook } from './webhook';

export { participantIdentity } from './types';
export type {
  ChatStart,
  HandedOffCheck,
  ClosedHow,
  EndingChat,
  InteractionRoute,
  SingleUse,
  StartedChat,
} from './types';

const MODES = { studio, webhook, address, 'flex-flow': flexFlow } as const;

export type HandoffMode = keyof typeof MODES;
export const HANDOFF_MODES = Object.keys(MODES) as HandoffMode[];
export const DEFAULT_HANDOFF_MODE: HandoffMode = 'studio';

type SettingsOf<M extends HandoffMode> = ReturnType<(typeof MODES)[M]['readStart']>;

/** What starting a chat needs, one variant per mode: `{mode: 'studio', studioFlowSid}`. */
export type HandoffConfig = { [M in HandoffMode]: { mode: M } & SettingsOf<M> }[HandoffMode];

/** Every variable some mode reads. */
export type ModeVariable = (typeof MODES)[HandoffMode]['variables'][number];

/**
 * The module of a mode, for calls that pass it its own settings. Typed for
 * all settings at once: TypeScript cannot tie `MODES[handoff.mode]` to
 * `handoff`'s variant, and each module reads only its own settings.
 */
function moduleOf(mode: HandoffMode): HandoffModule<HandoffConfig> {
  return MODES[mode] as HandoffModule<object> as HandoffModule<HandoffConfig>;
}

export function readHandoff(
  read: EnvReader,
  runtime: RuntimeInfo,
  mode: HandoffMode,
): HandoffConfig {
  return { ...moduleOf(mode).readStart(read, runtime), mode } as HandoffConfig;
}

export function readInteraction(
  read: EnvReader,
  runtime: RuntimeInfo,
  mode: HandoffMode,
): InteractionRoute | undefined {
  return moduleOf(mode).readInteraction(read, runtime);
}

export function startChat(
  client: Twilio,
  config: ChatsConfig,
  handoff: HandoffConfig,
  chat: ChatStart,
): Promise<StartedChat> {
  // The seal /transcript and /survey require (src/chat-seal.ts), in every mode's attributes.
  const email = firstEmail([chat.customer?.claims.email, chat.preEngagement.email]);
  const seal = chatSeal(config.apiSecret, participantIdentity(chat), chat.identity, email);
  return moduleOf(handoff.mode).startChat(client, config, handoff, { ...chat, seal });
}

/** How this mode makes a challenge single use (see `SingleUse`). */
export function singleUseOf(mode: HandoffMode): SingleUse {
  return MODES[mode].singleUse;
}

const NOT_USED: FieldProblem = {
  field: 'HANDOFF_MODE',
  // No value: /status already says the mode to whoever runs the service.
  problem: 'names a mode that does not use this webhook, so Twilio should not be calling it',
};

/** The 503 for a call to `/interaction` that this configuration never routes there. */
export function notRoutedHere(mode: HandoffMode): never {
  throw new ConfigError([moduleOf(mode).notRoutedHere ?? NOT_USED]);
}

/** How a mode's chats end: `hasEnded` and `close` (see src/end-chat.ts). */
export function endingOf(mode: HandoffMode): Pick<HandoffModule<object>, 'hasEnded' | 'close'> {
  return MODES[mode];
}

/**
 * How a mode's chat in progress is read (src/customer/continuity.ts): ended
 * by any mode's reading (`hasEnded`, as for /refresh-token), and handed off
 * (`isHandedOff`, only for modes that make the hand-off second; see
 * `HandoffModule`).
 */
export function chatReadingOf(
  mode: HandoffMode,
): Pick<HandoffModule<object>, 'hasEnded' | 'isHandedOff'> {
  // Ended by any mode's reading: after HANDOFF_MODE changed, a legacy
  // channel Flex UI 1.x marked INACTIVE is still "active" to Conversations.
  const { isHandedOff } = moduleOf(mode);
  return { hasEnded: hasEndedInAnyMode, ...(isHandedOff && { isHandedOff }) };
}

/**
 * Whether a chat has ended by any mode's reading (a closed conversation, a
 * legacy channel marked INACTIVE): for `/refresh-token`, which must not
 * depend on HANDOFF_MODE, so that a broken hand-off setting stops new chats
 * but never the chats in progress.
 */
export function hasEndedInAnyMode(state: string, attributes: Record<string, unknown>): boolean {
  return HANDOFF_MODES.some((mode) => MODES[mode].hasEnded(state, attributes));
}
