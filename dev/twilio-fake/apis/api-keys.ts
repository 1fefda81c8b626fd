/**
 * API keys (`api.twilio.com`, which has no spec in ../shared/twilio-oai, so
 * these requests pass unvalidated): create (the answer carries the secret,
 * once), fetch. Every key of the account state, with its secret, is also
 * accepted as Basic-auth credentials on every route, as Twilio does.
 */
import { randomBytes } from 'node:crypto';
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type TwilioMock } from '../twilio-mock';
import { account, type MockApiKey } from './account';
import { now } from './common';

const keys = 'api.twilio.com/2010-04-01/Accounts/:accountSid/Keys';

function keyJson(k: MockApiKey) {
  return { sid: k.sid, friendly_name: k.friendlyName, date_created: now(), date_updated: now() };
}

export function installApiKeyRoutes(mock: TwilioMock): void {
  mock.acceptCredentials((username, password) =>
    account(mock).apiKeys.some((k) => k.sid === username && k.secret === password),
  );

  mock.route('keys.create', 'POST', `${keys}.json`, (input) => {
    if (input.params.accountSid !== TEST_ENV.ACCOUNT_SID) {
      return twilioError(404, 20404, 'Account not found');
    }
    const key: MockApiKey = {
      sid: sid('SK'),
      friendlyName: field(input, 'FriendlyName') ?? '',
      secret: randomBytes(16).toString('hex'),
    };
    account(mock).apiKeys.push(key);
    return { status: 201, body: { ...keyJson(key), secret: key.secret } };
  });

  mock.route('keys.fetch', 'GET', `${keys}/:file`, (input) => {
    const keySid = (input.params.file ?? '').replace(/\.json$/, '');
    const key = account(mock).apiKeys.find((k) => k.sid === keySid);
    if (!key) return twilioError(404, 20404, `Key ${keySid} was not found`);
    return { status: 200, body: keyJson(key) };
  });
}
