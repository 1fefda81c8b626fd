/**
 * npm run deploy: checks that twilio-run will have credentials (pointing to
 * `npm run setup` when not), builds dist/, then runs `twilio-run deploy` with
 * any extra arguments (`npm run deploy -- --environment prod`).
 *
 * A second deploy updates the same Service, also from a fresh clone (a CI
 * job) that has no .twiliodeployinfo: `--override-existing-project` makes
 * twilio-run, when Twilio refuses a second Service of the same unique name
 * (package.json's "name", or `--service-name`), deploy to the existing one
 * instead of stopping with `Service with name "…" already exists`. Hazard:
 * that is any Service of that unique name in the account, so give each
 * project its own name (tests/runtime/deploy.test.ts proves the behaviour).
 */
import { resolve } from 'node:path';
import { buildAll } from './build';
import { flagValue, missingCredentials } from './deploy-credentials';
import { readEnvFile } from './setup/dotenv';
import { runTwilioRun } from './twilio-run';

const root = resolve(__dirname, '..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const envPath = resolve(root, flagValue(args, 'env') ?? '.env');
  const missing = missingCredentials(args, readEnvFile(envPath).values, process.env);
  if (missing.length > 0) {
    console.error(
      `No Twilio credentials to deploy with: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set in ${envPath}.\n` +
        'Run npm run setup first (it writes them into .env), or pass --username AC… --password … (better: from your CI secrets).',
    );
    process.exit(1);
  }
  await buildAll();
  runTwilioRun(['deploy', '--override-existing-project', ...args], 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
