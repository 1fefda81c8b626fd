/**
 * The setup modes by name (`HANDOFF_MODE`): the one place in scripts/setup
 * that maps a mode's name to its module. Typed by the service's own list of
 * modes (src/modes/), so a new mode there does not compile here until it has
 * a setup module.
 */
import { DEFAULT_HANDOFF_MODE, HANDOFF_MODES, type HandoffMode } from '../../../src/modes';
import { address } from './address';
import { flexFlow } from './flex-flow';
import { studio } from './studio';
import type { SetupMode } from './types';
import { webhook } from './webhook';

export type { SetupMode } from './types';

export const SETUP_MODES: Record<HandoffMode, SetupMode> = {
  studio,
  webhook,
  address,
  'flex-flow': flexFlow,
};

/** The mode a value names; undefined for none (empty is the default mode). */
export function modeNamed(value: string | undefined): HandoffMode | undefined {
  const name = value?.trim() || DEFAULT_HANDOFF_MODE;
  return HANDOFF_MODES.find((mode) => mode === name);
}

/** The mode question's choices: each mode's name and what it says of itself. */
export const MODE_CHOICES = HANDOFF_MODES.map((mode) => ({
  value: mode,
  label: `${mode.padEnd(10)} ${SETUP_MODES[mode].label}`,
}));
