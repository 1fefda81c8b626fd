/**
 * The newcomer's path, end to end: `npm run setup` with only credentials
 * (and a choice of mode) writes .env; the real `twilio-run start` on dist/,
 * with exactly that .env, then starts a chat. Address mode, since it is the
 * one whose every resource setup creates (Studio flow, Chat Address, API key).
 */
import { SITE_ORIGIN } from '../../dev/twilio-fake/env';
import { proofOver } from '../../dev/challenge';
import { startLocalRuntime, type LocalRuntime } from '../../dev/local-runtime';
import { account, conversations } from '../../dev/twilio-fake/apis';
import { EnvDir, README_CI_FLAGS, setupCli } from '../support/setup-cli';
import { verifyTestToken } from '../support/tokens';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';

let mock: TwilioMock;
let dir: EnvDir;
let runtime: LocalRuntime | undefined;

beforeAll(async () => {
  mock = await TwilioMock.start();
  dir = await EnvDir.create();
});
afterAll(async () => {
  await runtime?.stop();
  await mock.stop();
  await dir.remove();
});
afterEach(() => expect(mock.violations).toEqual([]));

it('setup --yes --mode address --create-address --create-studio-flow, then a chat starts', async () => {
  const setup = await setupCli(mock, dir, [...README_CI_FLAGS, '--allowed-origins', SITE_ORIGIN]);
  expect(setup.code).toBe(0);

  runtime = await startLocalRuntime(setup.env, { mockUrl: mock.baseUrl });
  const proof = await proofOver(runtime.url);
  const before = mock.requests().length;
  const created = setup.env;
  const res = await fetch(`${runtime.url}/start-chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: SITE_ORIGIN },
    body: JSON.stringify({ friendlyName: 'Ana', proof }),
  });
  expect(res.status).toBe(200);
  const chat = (await res.json()) as { conversationSid: string; identity: string; token: string };
  const made = mock.requests().slice(before);
  // Address mode claims the challenge in Sync first (WebChats takes no unique name).
  expect(made.map((r) => r.name)).toEqual(['sync.documents.create', 'webchats.create']);
  expect(made[1]?.form.AddressSid).toEqual([created.ADDRESS_SID]);
  // Signed with the API key setup created, for the identity Flex was given.
  const { payload } = verifyTestToken(chat.token, created.API_SECRET);
  expect(payload.iss).toBe(created.API_KEY);
  expect(payload.grants.identity).toBe(chat.identity);
  // The conversation routes to the Studio flow setup created.
  const flow = account(mock).flows.find((f) => f.friendlyName === 'Flex custom web chat');
  expect(conversations(mock).get(chat.conversationSid)?.webhooks).toMatchObject([
    { target: 'studio', flowSid: flow?.sid },
  ]);
}, 60_000);
