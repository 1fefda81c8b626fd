/**
 * The checks `npm run doctor -- --url` makes of a deployed service, from
 * outside, as a browser or Twilio would call it. Each adds rows (OK, a
 * warning, or a problem with what to do) through `add`; none needs
 * credentials, and none writes anything at Twilio: the only POSTs are a
 * challenge (stored nowhere), a renewal of a token that is not one, and an
 * unsigned webhook, all refused or harmless by design.
 */
import type { Add } from './checks';
import { errorOf, type Answer, type Probe } from './remote-http';

/** Where a variable of a deployed service is fixed. */
export const FIX_VARIABLE =
  "set it in .env (npm run setup finds it in your account), then npm run deploy again: it uploads .env's variables";

const REDEPLOY = 'npm run deploy (it builds dist/ first, then uploads functions and assets)';

/** What /status said: the rest of the checks depend on it. */
export type ServiceState = 'configured' | 'not_configured' | 'other';

/** "HTTP 503 not_configured: message" for a row. */
function answered(answer: Answer): string {
  const error = errorOf(answer);
  return `HTTP ${answer.status}${error?.code ? ` ${error.code}` : ''}${error?.message ? `: ${error.message}` : ''}`;
}

/** GET /status: reachable, configured, and each variable at fault with what to do. */
export function checkStatus(answer: Answer, add: Add): ServiceState {
  const body = answer.json as Record<string, unknown> | undefined;
  if (answer.status === 200 && body?.configured === true) {
    const facts = [
      `HANDOFF_MODE=${String(body.handoffMode)}`,
      `challenge ${String(body.challenge)}`,
      body.captcha ? 'CAPTCHA on' : undefined,
      body.chatBudget ? 'chat budget on' : undefined,
      body.openingHours ? 'opening hours set' : undefined,
    ].filter(Boolean);
    add('/status', 'ok', `configured: ${facts.join(', ')}`);
    if (body.challenge === 'off') {
      add(
        'CHALLENGE',
        'warn',
        '/start-chat admits any caller from an allowed origin without a proof of work',
        'remove CHALLENGE=off from .env, then npm run deploy',
      );
    }
    return 'configured';
  }
  const error = errorOf(answer);
  if (answer.status === 503 && error?.code === 'not_configured') {
    const fields = error.fields ?? [];
    for (const { field, problem } of fields) {
      add(field, 'problem', `${field} ${problem}`, FIX_VARIABLE);
    }
    if (fields.length === 0) add('/status', 'problem', answered(answer), FIX_VARIABLE);
    return 'not_configured';
  }
  add(
    '/status',
    'problem',
    `answered ${answered(answer)}`,
    `look at the service's logs in Console > Functions and Assets; then ${REDEPLOY}`,
  );
  return 'other';
}

/** The answer's Access-Control-Allow-Origin. */
const allowOrigin = (answer: Answer) => answer.headers.get('access-control-allow-origin');

/** POST /challenge from `origin` with no body: a "simple" request, as the widget sends it. */
export function fromOrigin(probe: Probe, path: string, origin: string, body?: string) {
  return probe(path, {
    method: 'POST',
    headers: {
      Origin: origin,
      Accept: 'application/json',
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body }),
  });
}

/** One allowed website: may a browser there read the service's answers? */
export async function checkOrigin(probe: Probe, origin: string, add: Add): Promise<void> {
  const name = `CORS ${origin}`;
  const answer = await fromOrigin(probe, 'challenge', origin);
  const allowed = allowOrigin(answer);
  if (allowed === origin || allowed === '*') {
    add(name, 'ok', `may use the chat (Access-Control-Allow-Origin: ${allowed})`);
    return;
  }
  const error = errorOf(answer);
  if (answer.status === 403 && error?.code === 'origin_not_allowed') {
    add(
      name,
      'problem',
      `refused (403 origin_not_allowed): the deployed ALLOWED_ORIGINS does not list ${origin}, so the chat fails there with a CORS error`,
      `add ${origin} to ALLOWED_ORIGINS in .env (comma-separated origins: scheme and host, no path), then npm run deploy`,
    );
    return;
  }
  add(
    name,
    'problem',
    `${answered(answer)}, without Access-Control-Allow-Origin: browsers on ${origin} cannot read it`,
    `check ALLOWED_ORIGINS, then ${REDEPLOY}`,
  );
}

/** An origin no service allows: https://doctor-check.invalid (a reserved name). */
export const STRANGER = 'https://doctor-check.invalid';

/** A website that is not allowed must be refused, and learn nothing. */
export async function checkRefusal(probe: Probe, add: Add): Promise<void> {
  const name = 'other websites';
  const answer = await fromOrigin(probe, 'challenge', STRANGER);
  const allowed = allowOrigin(answer);
  if (allowed === '*') {
    add(
      name,
      'warn',
      'any website may start chats (ALLOWED_ORIGINS=*)',
      'list your sites in ALLOWED_ORIGINS, e.g. https://www.example.com, then npm run deploy',
    );
  } else if (answer.status === 403 && allowed === null) {
    add(name, 'ok', `refused: ${STRANGER} got 403 and no Access-Control-Allow-Origin`);
  } else {
    add(
      name,
      'problem',
      `${STRANGER} got ${answered(answer)} (Access-Control-Allow-Origin: ${allowed ?? 'none'}), not a 403`,
      `a deployment of another version? ${REDEPLOY}`,
    );
  }
}

/**
 * The preflight a browser sends before a JSON POST. Twilio (and twilio-run)
 * answer it themselves, before any function runs (src/cors.ts): this checks
 * that nothing in front of the service refuses it.
 */
export async function checkPreflight(probe: Probe, origin: string, add: Add): Promise<void> {
  const answer = await probe('start-chat', {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
  const allowed = allowOrigin(answer);
  const headers = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  const ok =
    answer.status >= 200 &&
    answer.status < 300 &&
    (allowed === origin || allowed === '*') &&
    (headers === '*' || headers.includes('content-type'));
  if (ok) {
    add('preflight', 'ok', `OPTIONS /start-chat from ${origin}: ${answer.status}, allowed`);
  } else {
    add(
      'preflight',
      'problem',
      `OPTIONS /start-chat from ${origin}: HTTP ${answer.status}, Allow-Origin ${allowed ?? 'none'}, Allow-Headers ${headers || 'none'}: browsers will not send the chat's JSON requests`,
      'is something (a proxy, a custom domain) in front of the service? Call the *.twil.io domain directly',
    );
  }
}
