/**
 * `npm run doctor -- --url`, continued: what each of the service's files and
 * functions answers from outside (remote-checks.ts has /status and CORS).
 *
 *   webchat.js, webchat-sdk.js, webchat-solver.js   served, as JavaScript
 *   /challenge       a challenge (or none, CHALLENGE=off) for the service's own page
 *   /availability    open or closed, or the variables at fault
 *   token in body    /refresh-token reads a token from the JSON body (the runtime
 *                    passes Content-Length: src/http.ts assertInBody) and refuses
 *                    one in the URL
 *   /interaction     refuses an unsigned call; deployed, Twilio itself does, before
 *                    the function runs (it is deployed protected)
 *   /check-customer  (remote-check-customer.ts)
 */
import type { Add } from './checks';
import { FIX_VARIABLE, fromOrigin } from './remote-checks';
import { errorOf, type Answer, type Probe } from './remote-http';

const REDEPLOY = 'run npm run deploy (it builds dist/, then uploads every function and asset)';

/** The widget's files; each must be served as JavaScript, or browsers refuse to run it. */
export const WIDGET_FILES = ['webchat.js', 'webchat-sdk.js', 'webchat-solver.js'] as const;

export async function checkAsset(probe: Probe, file: string, add: Add): Promise<void> {
  const answer = await probe(file);
  const type = answer.headers.get('content-type') ?? 'none';
  if (answer.status !== 200) {
    add(file, 'problem', `HTTP ${answer.status}: not served`, REDEPLOY);
  } else if (!/^(application|text)\/javascript\b/i.test(type)) {
    add(
      file,
      'problem',
      `served as ${type}: browsers refuse to run a script of another type (X-Content-Type-Options, strict CSPs)`,
      `it must be deployed as an asset named ${file}: ${REDEPLOY}`,
    );
  } else {
    add(file, 'ok', `${(answer.bytes / 1024).toFixed(1)} KB, ${type}`);
  }
}

/** The variables a 503 names, one problem row each; false when the answer is not a 503. */
function notConfigured(answer: Answer, name: string, add: Add): boolean {
  const error = errorOf(answer);
  if (answer.status !== 503 || error?.code !== 'not_configured') return false;
  const fields = (error.fields ?? []).map((f) => f.field).join(', ');
  add(name, 'problem', `503 not_configured (${fields}): no chat can start`, FIX_VARIABLE);
  return true;
}

/** /challenge from the service's own page (its origin is always allowed). */
export async function checkChallenge(probe: Probe, ownOrigin: string, add: Add): Promise<void> {
  const answer = await fromOrigin(probe, 'challenge', ownOrigin);
  const body = answer.json as { challenge?: { signature?: unknown } | null } | undefined;
  if (answer.status === 200 && body?.challenge === null) {
    add('/challenge', 'ok', 'answers, with no challenge (CHALLENGE=off)');
  } else if (answer.status === 200 && typeof body?.challenge?.signature === 'string') {
    add('/challenge', 'ok', 'issues a signed proof-of-work challenge');
  } else if (!notConfigured(answer, '/challenge', add)) {
    add(
      '/challenge',
      'problem',
      `HTTP ${answer.status}: ${errorOf(answer)?.message ?? 'no challenge'}`,
      REDEPLOY,
    );
  }
}

export async function checkAvailability(probe: Probe, add: Add): Promise<void> {
  const answer = await probe('availability', { headers: { Accept: 'application/json' } });
  const body = answer.json as { open?: unknown; opensAt?: string | null } | undefined;
  if (answer.status === 200 && typeof body?.open === 'boolean') {
    const closed = `closed now${body.opensAt ? `, opens ${body.opensAt}` : ''} (OPENING_HOURS)`;
    add('/availability', 'ok', body.open ? 'open now' : closed);
    return;
  }
  const error = errorOf(answer);
  if (answer.status === 503 && error?.code === 'not_configured') {
    for (const { field, problem } of error.fields ?? []) {
      add(field, 'problem', `${field} ${problem}`, FIX_VARIABLE);
    }
    return;
  }
  add(
    '/availability',
    'problem',
    `HTTP ${answer.status}: ${error?.message ?? 'no answer'}`,
    REDEPLOY,
  );
}

/** The problem assertInBody names for a token that came in the URL. */
const fromUrl = (answer: Answer) =>
  answer.status === 400 &&
  (errorOf(answer)?.fields ?? []).some((f) => f.field === 'token' && /JSON body/.test(f.problem));

/**
 * Tokens only in the JSON body: the service tells body from URL by
 * Content-Length (src/http.ts assertInBody), so if the platform withheld
 * that header every renewal would be refused. A token that is not one is
 * refused (401) without a Twilio request.
 */
export async function checkTokenInBody(probe: Probe, ownOrigin: string, add: Add): Promise<void> {
  const name = 'token in body';
  const probeToken = 'doctor-check';
  const inBody = await fromOrigin(
    probe,
    'refresh-token',
    ownOrigin,
    JSON.stringify({ token: probeToken }),
  );
  if (notConfigured(inBody, name, add)) return;
  if (fromUrl(inBody)) {
    add(
      name,
      'problem',
      '/refresh-token took a token in the JSON body for one in the URL: Content-Length did not reach the function, so every renewal will fail',
      'is something in front of the service rewriting requests? Call the *.twil.io domain directly',
    );
    return;
  }
  const inUrl = await fromOrigin(probe, `refresh-token?token=${probeToken}`, ownOrigin, '{}');
  if (!fromUrl(inUrl)) {
    add(
      name,
      'problem',
      `/refresh-token with a token in the URL answered HTTP ${inUrl.status}, not 400`,
      REDEPLOY,
    );
    return;
  }
  add(
    name,
    'ok',
    `/refresh-token reads the JSON body (HTTP ${inBody.status} for a bad token) and refuses a token in the URL`,
  );
}

/**
 * /interaction is for Twilio only. Deployed, the platform checks
 * X-Twilio-Signature of a protected function before it runs: an unsigned call
 * never reaches it. Locally (twilio-run checks nothing) the function's own
 * check answers: 403, or 503 in a mode that does not use it. Deployed, either
 * of the function's own JSON answers means the platform let the call through,
 * i.e. the function was deployed public.
 */
export async function checkInteraction(probe: Probe, local: boolean, add: Add): Promise<void> {
  const answer = await probe('interaction', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'EventType=onMessageAdded',
  });
  const code = errorOf(answer)?.code;
  const ours = code === 'forbidden' || code === 'not_configured';
  if (answer.status === 404) {
    add('/interaction', 'problem', 'HTTP 404: not deployed', REDEPLOY);
  } else if (answer.status >= 200 && answer.status < 300) {
    add('/interaction', 'problem', `accepted an unsigned call (HTTP ${answer.status})`, REDEPLOY);
  } else if (ours && !local) {
    add(
      '/interaction',
      'warn',
      `an unsigned call reached the function (HTTP ${answer.status} ${code}): Twilio did not check the signature, so it is deployed public`,
      `deploy it protected (functions/interaction.protected.ts): ${REDEPLOY}`,
    );
  } else if ([401, 403].includes(answer.status) || (ours && local)) {
    const by = ours ? 'the function' : 'Twilio';
    add('/interaction', 'ok', `an unsigned call is refused by ${by} (HTTP ${answer.status})`);
  } else {
    add(
      '/interaction',
      'problem',
      `an unsigned call got HTTP ${answer.status}, not 401/403`,
      REDEPLOY,
    );
  }
}
