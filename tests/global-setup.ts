/**
 * Builds dist/ once before any test file runs: the runtime tests exercise the
 * built functions exactly as twilio-run and Twilio would load them.
 */
import { buildAll } from '../scripts/build';

export default async function globalSetup(): Promise<void> {
  await buildAll();
}
