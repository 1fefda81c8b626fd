/**
 * `npm run doctor -- --url`: /check-customer, which the Studio flow setup
 * creates asks before Send to Flex (src/customer-check.ts), called as Studio
 * calls it (no Origin, JSON), twice:
 *
 *   unsigned  a customer nobody signed must come back `verified: false`
 *   signed    with the local .env's API_SECRET, a probe customer signed as
 *             /start-chat signs one (src/customer-signature.ts) must come back
 *             `verified: true`, its fields as sent
 *
 * Refusal alone proves little: a stub, an older deployment or a service
 * deployed with another API_SECRET refuses everything too, and every
 * signed-in customer then reaches agents without `customer`. Without an
 * API_SECRET locally only refusal can be checked: a warning saying so.
 */
import { customerSignature } from '../../src/customer-signature';
import type { Add } from './checks';
import { FIX_VARIABLE } from './remote-checks';
import { errorOf, type Answer, type Probe } from './remote-http';

const NAME = '/check-customer';
const REDEPLOY = 'run npm run deploy (it builds dist/, then uploads every function and asset)';

/** The probe's customer: nobody's, on a domain that cannot exist. */
const PROBE = { id: 'doctor-check', issuer: 'https://doctor-check.invalid' };
const PROBE_IDENTITY = `cust_${'d0c7'.repeat(8)}`;

/**
 * The body Studio would send for a chat whose `customer` this service
 * signed, or (no secret) nobody did. The one place that knows what a
 * signature covers: if src/customer-signature.ts signs other inputs, adapt here.
 */
export function customerCheckProbe(apiSecret: string | undefined, nowMs = Date.now()): string {
  // Signed ten minutes ago: well within a session (src/customer-trust.ts),
  // and never "in the future" to a deployment whose clock is behind this one.
  const fields = { ...PROBE, verifiedAt: Math.floor(nowMs / 1000) - 600 };
  const signature = apiSecret && customerSignature(apiSecret, PROBE_IDENTITY, fields);
  return JSON.stringify({
    identity: PROBE_IDENTITY,
    customer: { verified: true, ...fields, ...(signature && { signature }) },
    answers: { friendlyName: 'Doctor' },
  });
}

const ask = (probe: Probe, body: string): Promise<Answer> =>
  probe('check-customer', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json;charset=utf-8' },
    body,
  });

/** A row for an answer that is not the check's (missing, misconfigured, broken). */
function notAnswering(answer: Answer, add: Add): void {
  const error = errorOf(answer);
  const what =
    answer.status === 404
      ? 'not deployed'
      : `${error?.code ?? 'no answer'}${error?.fields ? ` (${error.fields.map((f) => f.field).join(', ')})` : ''}`;
  add(
    NAME,
    'problem',
    `HTTP ${answer.status}, ${what}: the Studio flow's customer check fails, so signed-in customers reach agents without customer`,
    error?.code === 'not_configured' ? FIX_VARIABLE : REDEPLOY,
  );
}

const verifiedOf = (answer: Answer): unknown =>
  answer.status === 200 ? (answer.json as { verified?: unknown } | undefined)?.verified : undefined;

/** /check-customer refuses a customer nobody signed and, given API_SECRET, verifies one it did. */
export async function checkCustomerCheck(
  probe: Probe,
  add: Add,
  apiSecret?: string,
): Promise<void> {
  const unsigned = await ask(probe, customerCheckProbe(undefined));
  if (verifiedOf(unsigned) === true) {
    add(
      NAME,
      'problem',
      "answered verified: true for a customer nobody signed: whatever answers there is not this service's check, and agents are told any customer is verified",
      REDEPLOY,
    );
    return;
  }
  if (verifiedOf(unsigned) !== false) return notAnswering(unsigned, add);
  if (apiSecret === undefined) {
    add(
      NAME,
      'warn',
      'refuses a customer nobody signed; whether it verifies one this service signed was not checked: no API_SECRET in the local .env',
      'run doctor where the .env with the deployed API_SECRET is (or pass --env-path)',
    );
    return;
  }
  const signed = await ask(probe, customerCheckProbe(apiSecret));
  const customer = (signed.json as { customer?: { id?: unknown } } | undefined)?.customer;
  if (verifiedOf(signed) === true && customer?.id === PROBE.id) {
    add(
      NAME,
      'ok',
      "answers the Studio flow: verifies a customer signed with .env's API_SECRET, refuses one nobody signed",
    );
  } else if (verifiedOf(signed) === true) {
    add(
      NAME,
      'problem',
      "answered verified: true without the customer it was sent: not this service's check",
      REDEPLOY,
    );
  } else if (verifiedOf(signed) === false) {
    add(
      NAME,
      'problem',
      "does not verify a customer signed with the local .env's API_SECRET: the deployed API_SECRET differs (or what answers is not this service's check), so every signed-in customer reaches agents without customer",
      'deploy the .env setup wrote (npm run deploy uploads its API_SECRET), or run doctor with the deployed one (--env-path)',
    );
  } else {
    notAnswering(signed, add);
  }
}
