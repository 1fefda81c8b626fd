/**
 * The challenge before any chat, end to end: POST /challenge issues it, the
 * test solves it with altcha-lib's own solver, POST /start-chat verifies it,
 * through the real `twilio` library and the spec-validating Twilio fake.
 * Every refusal is counted in Twilio writes: zero.
 */
import { handler as challengeHandler } from '../../functions/challenge';
import { handler as startChat } from '../../functions/start-chat';
import { freshProof, solve } from '../../dev/challenge';
import { headerOf, invoke, type InvokeOptions } from '../../dev/invoke';
import { conversations } from '../../dev/twilio-fake/apis';
import { SITE_ORIGIN, TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import {
  FLEX_FLOW_ENV,
  ADDRESS_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import { loadConfig } from '../../src/config';
import { CHALLENGE_TTL_SECONDS, issueChallenge, type Proof } from '../../src/guard/challenge';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };
type StartBody = { conversationSid: string; identity: string };

const OTHER_ALLOWED = 'https://shop.example.com';

const start = (body: unknown, options: InvokeOptions = {}) =>
  invoke(startChat, { mock, body, ...options });
const askChallenge = (options: InvokeOptions = {}) =>
  invoke(challengeHandler, {
    mock,
    ...options,
    headers: { 'content-type': undefined, ...options.headers },
  });
const codeOf = (res: { body: unknown }) => (res.body as ErrorBody).error?.code;

/** A proof issued by us at `nowMs` for `origin` (for expiry: issued in the past). */
async function proofIssuedAt(nowMs: number, origin = SITE_ORIGIN, env: TestEnv = TEST_ENV) {
  const config = loadConfig(env, {}, ['challenge']);
  return solve(await issueChallenge(config, origin, nowMs));
}

describe('POST /challenge', () => {
  it('issues a signed challenge bound to the calling website, for it alone to read', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await askChallenge();
    expect(res.status).toBe(200);
    expect(headerOf(res, 'access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(headerOf(res, 'vary')).toBe('Origin');
    expect(headerOf(res, 'cache-control')).toBe('no-store');
    const { challenge } = res.body as { challenge: { parameters: Record<string, unknown> } };
    const { parameters } = challenge;
    expect(challenge).toEqual({
      parameters: expect.any(Object),
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(parameters).toMatchObject({
      algorithm: 'SHA-256',
      cost: 1,
      keyLength: 32,
      keyPrefix: expect.stringMatching(/^[0-9a-f]{32}$/),
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
      salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      data: { origin: SITE_ORIGIN, issuedAt: expect.any(Number) },
    });
    const { issuedAt } = parameters.data as { issuedAt: number };
    expect(issuedAt).toBeGreaterThanOrEqual(before);
    expect(parameters.expiresAt).toBe(issuedAt + CHALLENGE_TTL_SECONDS);
    expect(mock.requests()).toHaveLength(0);
  });

  it('is new every time, and as hard as CHALLENGE_MAX_NUMBER says', async () => {
    const proofs = await Promise.all([1, 2, 3, 4, 5].map(() => freshProof()));
    const nonces = new Set(proofs.map((p) => p.challenge.parameters.nonce));
    expect(nonces.size).toBe(5);
    for (const proof of proofs) expect(proof.solution.counter).toBeLessThanOrEqual(1000);
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['a sandboxed frame', 'null'],
    ['no Origin at all', undefined],
  ])('gives %s a 403 with nothing readable in it', async (_, origin) => {
    const res = await askChallenge({ headers: { origin } });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe('origin_not_allowed');
    expect(headerOf(res, 'access-control-allow-origin')).toBeUndefined();
    expect(res.text).not.toContain('signature');
  });

  it('refuses a "request" parameter that would replace its headers', async () => {
    const res = await askChallenge({
      headers: { origin: undefined },
      query: { 'request[headers][origin]': SITE_ORIGIN },
      body: { request: { headers: { origin: SITE_ORIGIN } } },
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('signature');
  });

  it('answers {challenge: null} when CHALLENGE=off', async () => {
    const res = await askChallenge({ env: { ...TEST_ENV, CHALLENGE: 'off' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: null, captcha: null });
  });

  it('issues none for a service that could not start the chat, naming what /start-chat would', async () => {
    const env = { ALLOWED_ORIGINS: TEST_ENV.ALLOWED_ORIGINS, API_SECRET: 'x' };
    const asked = await askChallenge({ env });
    const started = await start({}, { env });
    expect(asked.status).toBe(503);
    expect(asked.body).toEqual(started.body);
    expect((asked.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
      'API_KEY',
      'CONVERSATIONS_SERVICE_SID',
      'STUDIO_FLOW_SID',
    ]);
  });

  it('names a malformed setting, like every variable', async () => {
    const res = await askChallenge({
      env: { ...TEST_ENV, CHALLENGE: 'no', CHALLENGE_MAX_NUMBER: '5' },
    });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'CHALLENGE',
      'CHALLENGE_MAX_NUMBER',
    ]);
  });
});

describe('POST /start-chat with a solved challenge', () => {
  it('starts the chat named after the challenge, with no extra request', async () => {
    mock.latencyMs = 15;
    const proof = await freshProof();
    const res = await start({ friendlyName: 'Ana', proof });
    expect(res.status).toBe(200);
    const { identity } = res.body as StartBody;
    const { nonce, data } = proof.challenge.parameters;
    const issuedAt = (data as { issuedAt: number }).issuedAt;
    expect(identity).toBe(`web_${issuedAt.toString(36)}_${nonce}`);
    expect(mock.requests().map((r) => r.name)).toEqual(['conversations.create', 'webhooks.create']);
    expect(mock.sequentialRoundTrips()).toBe(2);
    expect(mock.requests('conversations.create')[0]?.form.UniqueName).toEqual([identity]);
  });

  it.each([
    ['studio', TEST_ENV, 'conversations.create'],
    ['webhook', WEBHOOK_ENV, 'conversations.create'],
    ['flex-flow', FLEX_FLOW_ENV, 'flexChannels.create'],
  ])(
    '%s mode: a replayed proof is a 409 challenge_used, refused by Twilio itself',
    async (_, env, create) => {
      const proof = await freshProof({ env });
      expect((await start({ proof }, { env })).status).toBe(200);
      const writes = mock.writes().length;
      const again = await start({ proof, question: 'again' }, { env });
      expect(again.status).toBe(409);
      expect(codeOf(again)).toBe('challenge_used');
      expect(mock.writes()).toHaveLength(writes);
      // The one request a replay costs: the create Twilio refuses.
      expect(
        mock
          .requests()
          .slice(-1)
          .map((r) => [r.name, r.status]),
      ).toEqual([[create, 409]]);
      expect(conversations(mock).size).toBe(1);
      expect(logs.events()).toContain('challenge_reused');
    },
  );

  it('address mode: the challenge is claimed once before WebChats is called', async () => {
    const proof = await freshProof({ env: ADDRESS_ENV });
    mock.latencyMs = 20;
    expect((await start({ proof }, { env: ADDRESS_ENV })).status).toBe(200);
    mock.latencyMs = 0;
    // The claim: a Sync document named for the challenge, made before WebChats.
    const [claim, ...more] = mock.requests('sync.documents.create');
    expect(more).toHaveLength(0);
    expect(claim?.path).toBe('/v1/Services/default/Documents');
    expect(claim?.form.UniqueName).toEqual([
      `webchat-challenge-${proof.challenge.parameters.nonce}`,
    ]);
    // Until the challenge expires, and a minute for clocks that disagree.
    const ttl = Number(claim?.form.Ttl?.[0]);
    expect(ttl).toBeGreaterThan(CHALLENGE_TTL_SECONDS);
    expect(ttl).toBeLessThanOrEqual(CHALLENGE_TTL_SECONDS + 60);
    const [webChat] = mock.requests('webchats.create');
    expect(claim && webChat && claim.endedAt <= webChat.startedAt).toBe(true);
    expect(mock.sequentialRoundTrips()).toBe(2);

    const writes = mock.writes().length;
    const again = await start({ proof }, { env: ADDRESS_ENV });
    expect(again.status).toBe(409);
    expect(codeOf(again)).toBe('challenge_used');
    // The refused claim is the only request, and it wrote nothing.
    expect(mock.writes()).toHaveLength(writes);
    expect(mock.requests('webchats.create')).toHaveLength(1);
  });

  it('the unique-name modes claim nothing', async () => {
    for (const env of [TEST_ENV, WEBHOOK_ENV, FLEX_FLOW_ENV]) {
      expect((await start({ proof: await freshProof({ env }) }, { env })).status).toBe(200);
    }
    expect(mock.requests('sync.documents.create')).toHaveLength(0);
  });

  it('two starts racing with one proof make one chat', async () => {
    const proof = await freshProof();
    const results = await Promise.all([start({ proof }), start({ proof })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(conversations(mock).size).toBe(1);
  });

  it('starts a session when the challenge was issued: SESSION_MAX_AGE counts from there', async () => {
    const issued = Date.now() - 200_000;
    const proof = await proofIssuedAt(issued);
    const res = await start({ proof });
    expect(res.status).toBe(200);
    const { identity } = res.body as StartBody;
    expect(identity.split('_')[1]).toBe(Math.floor(issued / 1000).toString(36));
  });

  it('CHALLENGE=off: admitted without a proof, with a fresh random identity', async () => {
    const env = { ...TEST_ENV, CHALLENGE: 'off' };
    const res = await start({ friendlyName: 'Ana' }, { env });
    expect(res.status).toBe(200);
    expect((res.body as StartBody).identity).toMatch(/^web_[0-9a-z]+_[0-9a-f]{32}$/);
  });
});

/** Every way to come without a valid, unused proof, and what each gets. */
async function refusals(): Promise<[string, unknown, number, string][]> {
  const valid = await freshProof();
  const used = await freshProof();
  expect((await start({ proof: used })).status).toBe(200);
  const tamper = (change: (p: Proof) => void): Proof => {
    const copy = structuredClone(valid);
    change(copy);
    return copy;
  };
  const otherKey = await proofIssuedAt(Date.now(), SITE_ORIGIN, {
    ...TEST_ENV,
    API_SECRET: 'another-service-secret',
  });
  return [
    ['no proof', undefined, 403, 'challenge_required'],
    [
      'a forged signature',
      tamper((p) => (p.challenge.signature = 'a'.repeat(64))),
      403,
      'challenge_invalid',
    ],
    [
      'an origin rewritten',
      tamper(
        (p) => (p.challenge.parameters.data = { origin: 'https://evil.example', issuedAt: 1 }),
      ),
      403,
      'challenge_invalid',
    ],
    [
      'an easier prefix',
      tamper((p) => (p.challenge.parameters.keyPrefix = '00')),
      403,
      'challenge_invalid',
    ],
    ['a wrong counter', tamper((p) => (p.solution.counter += 1)), 403, 'challenge_invalid'],
    [
      'a made-up key',
      tamper((p) => (p.solution.derivedKey = 'ab'.repeat(32))),
      403,
      'challenge_invalid',
    ],
    ['another service’s challenge', otherKey, 403, 'challenge_invalid'],
    [
      'an expired one',
      await proofIssuedAt(Date.now() - (CHALLENGE_TTL_SECONDS + 5) * 1000),
      403,
      'challenge_expired',
    ],
    [
      "another allowed site's",
      await freshProof({ origin: OTHER_ALLOWED }),
      403,
      'challenge_invalid',
    ],
    ['a replayed one', used, 409, 'challenge_used'],
    [
      'a counter as a query string gives it',
      tamper((p) => Object.assign(p.solution, { counter: '7' })),
      400,
      'invalid_request',
    ],
    ['a string', 'proof', 400, 'invalid_request'],
    [
      'no signature',
      tamper((p) => Object.assign(p.challenge, { signature: undefined })),
      400,
      'invalid_request',
    ],
  ];
}

describe('a flood of 1,000 starts without a valid, unused proof', () => {
  it('writes nothing to Twilio', async () => {
    // Each replay reaches Twilio's create, and 1,000 in a few seconds are past
    // its 30 creates a second: lifted here, as this is about proofs (a 429
    // writes nothing either); spikes.test.ts is about rates.
    mock.rateLimit('conversations.create', undefined);
    const cases = await refusals();
    const writes = mock.writes().length; // the one chat `used` started
    const seen = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const [name, proof, status, code] = cases[i % cases.length]!;
      const res = await start({ question: 'x', ...(proof !== undefined && { proof }) });
      expect({ name, status: res.status, code: codeOf(res) }).toEqual({ name, status, code });
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    expect(seen.size).toBe(cases.length);
    expect(mock.writes()).toHaveLength(writes);
    expect(conversations(mock).size).toBe(1);
    // What reached Twilio at all: the replays' creates, each refused.
    const reached = mock.requests().slice(writes);
    expect(new Set(reached.map((r) => `${r.name} ${r.status}`))).toEqual(
      new Set(['conversations.create 409']),
    );
  });
});

describe('the drive-by GET from the issue', () => {
  // GET /start-chat?request[headers][origin]=https://www.example.com
  //   &request[headers][content-type]=application/json&question=x
  // from an <img> tag: no real Origin, no content type; the runtime merges
  // the query over its own `request` (tests/runtime/local-runtime.test.ts
  // sends the very URL to twilio-run).
  const driveBy = {
    request: { headers: { origin: SITE_ORIGIN, 'content-type': 'application/json' } },
    question: 'x',
  };

  it.each([
    ['on', TEST_ENV],
    ['off', { ...TEST_ENV, CHALLENGE: 'off' }],
  ])('is refused with CHALLENGE %s, and writes nothing', async (_, env) => {
    const res = await start(driveBy, {
      env,
      headers: { origin: undefined, 'content-type': undefined },
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['request']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('still cannot start a chat when the forger fakes the cookies too', async () => {
    const forged = { ...driveBy, request: { ...driveBy.request, cookies: {} } };
    const res = await start(forged, { headers: { origin: undefined, 'content-type': undefined } });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe('challenge_required');
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('the guard: the proof first, then the claim and the budget in one round', () => {
  const ADDRESS_BUDGET_ENV = { ...ADDRESS_ENV, MAX_CHATS_PER_MINUTE: '5' };

  it('address mode with a budget: the claim and the count side by side, one round trip', async () => {
    const proof = await freshProof({ env: ADDRESS_BUDGET_ENV });
    mock.latencyMs = 20;
    // Open the minute's list first, so this start counts with one append.
    const opened = await start(
      { proof: await freshProof({ env: ADDRESS_BUDGET_ENV }) },
      { env: ADDRESS_BUDGET_ENV },
    );
    expect(opened.status).toBe(200);
    const before = mock.requests().length;
    const res = await start({ proof }, { env: ADDRESS_BUDGET_ENV });
    expect(res.status).toBe(200);
    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'sync.documents.create',
      'sync.listItems.create',
      'webchats.create',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(2);
  });

  it('a forged or missing proof spends no budget and claims nothing: not a single request', async () => {
    const proof = await freshProof({ env: ADDRESS_BUDGET_ENV });
    const forged = {
      ...proof,
      solution: { ...proof.solution, counter: proof.solution.counter + 1 },
    };
    expect(codeOf(await start({ proof: forged }, { env: ADDRESS_BUDGET_ENV }))).toMatch(
      /^challenge_/,
    );
    expect(codeOf(await start({}, { env: ADDRESS_BUDGET_ENV }))).toBe('challenge_required');
    expect(mock.requests()).toHaveLength(0);
  });

  it('a replay under a budget: 409 and no chat write, but it spends a place (the trade-off in src/guard/index.ts)', async () => {
    const proof = await freshProof({ env: ADDRESS_BUDGET_ENV });
    expect((await start({ proof }, { env: ADDRESS_BUDGET_ENV })).status).toBe(200);
    const before = mock.requests().length;
    const again = await start({ proof }, { env: ADDRESS_BUDGET_ENV });
    expect(again.status).toBe(409);
    const after = mock.requests().slice(before);
    // Side by side, in one round trip: the claim (refused) and the budget's count.
    expect(after.map((r) => r.name).sort()).toEqual([
      'sync.documents.create',
      'sync.listItems.create',
    ]);
    expect(after.filter((r) => r.host !== 'sync.twilio.com')).toEqual([]);
  });

  it('a replay in address mode: 409, and the claim refused is its only write attempt', async () => {
    const proof = await freshProof({ env: ADDRESS_ENV });
    expect((await start({ proof }, { env: ADDRESS_ENV })).status).toBe(200);
    const before = mock.requests().length;
    const again = await start({ proof }, { env: ADDRESS_ENV });
    expect(again.status).toBe(409);
    expect(
      mock
        .requests()
        .slice(before)
        .map((r) => [r.name, r.status]),
    ).toEqual([['sync.documents.create', 409]]);
  });

  it.each([
    ['a 5xx', { status: 500 }],
    ['no answer', { status: 500, when: 'drop' }],
  ] as const)(
    'Sync failing the claim (%s): the chat starts, and the log says so',
    async (_, failure) => {
      mock.failNext('sync.documents.create', failure);
      const res = await start(
        { proof: await freshProof({ env: ADDRESS_ENV }) },
        { env: ADDRESS_ENV },
      );
      expect(res.status).toBe(200);
      expect(logs.events()).toContain('challenge.claim_unavailable');
      expect(mock.requests('webchats.create')).toHaveLength(1);
    },
  );

  it('a Sync service that does not exist: 503 naming SYNC_SERVICE_SID, nothing created', async () => {
    const env = { ...ADDRESS_ENV, SYNC_SERVICE_SID: 'IS' + '0'.repeat(32) };
    const res = await start({ proof: await freshProof({ env }) }, { env });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['SYNC_SERVICE_SID']);
    expect(mock.writes()).toHaveLength(0);
  });
});
