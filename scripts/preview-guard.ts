/**
 * What marks the configuration `npm run preview` generates (dev/preview/), so
 * that `npm run deploy` refuses it: its Account SID is the all-zero one, which
 * no Twilio account has and only the local Twilio fake accepts. A preview
 * configuration copied into .env, or passed with `--env`, never reaches
 * Twilio's Serverless API.
 *
 * @example
 *   previewDeployRefusal(['--env', 'preview.env'], { ACCOUNT_SID: PREVIEW_ACCOUNT_SID });
 *   // 'This is the preview's configuration …'
 */
import { flagValue } from './deploy-credentials';

/** The preview's account: `AC` and 32 zeros, never a real account. */
export const PREVIEW_ACCOUNT_SID = `AC${'0'.repeat(32)}`;

type Values = Readonly<Record<string, string | undefined>>;

/** Why a deploy with these arguments and env file values must not run; undefined: it may. */
export function previewDeployRefusal(
  args: readonly string[],
  fileValues: Values,
): string | undefined {
  const accountSid = flagValue(args, 'username', 'u') || fileValues.ACCOUNT_SID;
  if (accountSid !== PREVIEW_ACCOUNT_SID) return undefined;
  return (
    `ACCOUNT_SID is ${PREVIEW_ACCOUNT_SID}, the account of npm run preview's local simulated Flex: ` +
    'that configuration cannot be deployed (it has no Twilio account behind it).\n' +
    'Run npm run setup to write a .env for your Twilio account, then npm run deploy.'
  );
}
