/**
 * `npm run deploy` refuses to start twilio-run without credentials, deciding
 * as twilio-run does: flags, then the env file, then (only with
 * --load-system-env) the shell.
 */
import { flagValue, missingCredentials } from '../../scripts/deploy-credentials';

const SID = 'AC' + 'a'.repeat(32);
const TOKEN = 'f'.repeat(32);

describe('npm run deploy: credentials', () => {
  it('names what .env lacks', () => {
    expect(missingCredentials([], {}, {})).toEqual(['ACCOUNT_SID', 'AUTH_TOKEN']);
    expect(missingCredentials([], { ACCOUNT_SID: SID, AUTH_TOKEN: '' }, {})).toEqual([
      'AUTH_TOKEN',
    ]);
    expect(missingCredentials([], { ACCOUNT_SID: SID, AUTH_TOKEN: TOKEN }, {})).toEqual([]);
  });

  it('takes --username/--password (and -u/-p, and --flag=value) over the file', () => {
    expect(missingCredentials(['--username', SID, '--password', TOKEN], {}, {})).toEqual([]);
    expect(missingCredentials(['-u', SID, '-p', TOKEN], {}, {})).toEqual([]);
    expect(missingCredentials([`--username=${SID}`], { AUTH_TOKEN: TOKEN }, {})).toEqual([]);
  });

  it("reads the shell's variables only with --load-system-env, as twilio-run does", () => {
    const shell = { ACCOUNT_SID: SID, AUTH_TOKEN: TOKEN };
    expect(missingCredentials([], {}, shell)).toEqual(['ACCOUNT_SID', 'AUTH_TOKEN']);
    expect(missingCredentials(['--load-system-env', '--env', '.env'], {}, shell)).toEqual([]);
  });

  it('finds a flag in each of its forms', () => {
    expect(flagValue(['--env', 'prod.env'], 'env')).toBe('prod.env');
    expect(flagValue(['--env=prod.env'], 'env')).toBe('prod.env');
    expect(flagValue(['--environment', 'prod'], 'env')).toBeUndefined();
  });
});
