/**
 * /start-chat for a new signed-in customer next to an anonymous one, per
 * HANDOFF_MODE, in process against the local mock with LATENCY_MS per
 * Twilio request (median of 5): Twilio requests, sequential round trips to
 * Twilio, requests to the JWKS URL (dev/jwks-fake.ts, answering at once),
 * and wall time.
 *
 *   anonymous        a start with a question, as the widget makes it
 *   HS256            the same with a customer token: verified in process
 *   ES256, JWKS cold a fresh Function instance: the key set fetched first
 *   ES256, JWKS warm an instance that has the key set already
 *
 * Target (issue 10): a new verified chat costs at most one round trip more
 * than an anonymous one; HS256 none. Run alone: npx tsx scripts/bench/customer-tokens.ts
 */
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { invoke } from '../../dev/invoke';
import { JwksFake } from '../../dev/jwks-fake';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { forgetKeySets } from '../../src/customer/verify-keys';
import { fmt, LATENCY_MS, median, time } from './measure';
import { BENCH_MODES, type BenchMode } from './modes';
import { print, table } from './table';

type Variant = 'anonymous' | 'HS256' | 'ES256, JWKS cold' | 'ES256, JWKS warm';
const VARIANTS: Variant[] = ['anonymous', 'HS256', 'ES256, JWKS cold', 'ES256, JWKS warm'];

async function figures(mock: TwilioMock, jwks: JwksFake, mode: BenchMode, variant: Variant) {
  const requests: number[] = [];
  const trips: number[] = [];
  const fetches: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    mock.reset();
    mode.seed(mock);
    const jwksVariant = variant.startsWith('ES256');
    const env = { ...mode.env, ...(jwksVariant ? jwks.env() : CUSTOMER_ENV) };
    const claims = { sub: `cus_${i}`, name: 'Ana' };
    const customerToken =
      variant === 'anonymous'
        ? undefined
        : jwksVariant
          ? await jwks.mint(claims)
          : await mintCustomerToken(claims);
    const body = { friendlyName: 'Ana', question: 'Where is my order?', customerToken };
    const proven = await withProof(body, { env });
    if (variant === 'ES256, JWKS cold') forgetKeySets();
    if (variant === 'ES256, JWKS warm') await warm(mock, mode, env, jwks);
    const before = jwks.requests.length;
    mock.latencyMs = LATENCY_MS;
    let status = 0;
    ms.push(
      await time(
        async () => (status = (await invoke(startChat, { mock, env, body: proven })).status),
      ),
    );
    if (status !== 200) throw new Error(`start-chat answered ${status} (${mode.mode}, ${variant})`);
    requests.push(mock.requests().length);
    trips.push(mock.sequentialRoundTrips());
    fetches.push(jwks.requests.length - before);
  }
  return [requests, trips, fetches].map((v) => String(median(v))).concat(fmt(median(ms)));
}

/** One verified start first, so the key set is in this process's cache. */
async function warm(
  mock: TwilioMock,
  mode: BenchMode,
  env: Record<string, string | undefined>,
  jwks: JwksFake,
) {
  forgetKeySets();
  const body = await withProof({ customerToken: await jwks.mint({ sub: 'cus_warm' }) }, { env });
  mock.latencyMs = 0;
  await invoke(startChat, { mock, env, body });
  mock.reset();
  mode.seed(mock);
}

export async function customerTokenCost(mock: TwilioMock): Promise<void> {
  const jwks = await JwksFake.start();
  try {
    const row = table(
      `POST /start-chat with a question, new signed-in customer vs anonymous: ${LATENCY_MS} ms per Twilio request (median of 5)`,
      ['mode', 'customer'],
      ['Twilio requests', 'Twilio round trips', 'JWKS requests', 'wall ms'],
    );
    for (const mode of BENCH_MODES) {
      for (const variant of VARIANTS) {
        row(`\`${mode.mode}\``, variant, ...(await figures(mock, jwks, mode, variant)));
      }
    }
    print(
      '\nA JWKS fetch is one sequential round trip to the website before the Twilio ones, once per Function instance (a local fake here, so its wall time is not a real one).',
    );
  } finally {
    await jwks.stop();
  }
}

if (require.main === module) {
  for (const level of ['log', 'info', 'warn', 'error'] as const) console[level] = () => undefined;
  void (async () => {
    const mock = await TwilioMock.start({ validate: false });
    try {
      await customerTokenCost(mock);
    } finally {
      await mock.stop();
    }
    process.exit(0);
  })();
}
