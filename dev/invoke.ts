/**
 * Calls a function handler the way the Functions runtime does: an `event` of
 * query and body merged plus `request.headers` (lower-cased), a `context` of
 * environment variables plus `getTwilioClient()`, and the runtime's own
 * `Twilio.Response` class. `getTwilioClient()` returns the real `twilio`
 * library pointed at the local mock.
 *
 * @example
 *   const res = await invoke(handler, { mock, body: { friendlyName: 'Ana' } });
 *   expect(res.status).toBe(200);
 */
import type { ServerlessFunctionSignature } from '@twilio-labs/serverless-runtime-types/types';
import { dirname, join } from 'node:path';
import { SERVICE_DOMAIN, SITE_ORIGIN, TEST_ENV, type TestEnv } from './twilio-fake/env';
import type { TwilioMock } from './twilio-fake/twilio-mock';

interface RuntimeResponse {
  serialize(): { statusCode: number; body: unknown; headers: Record<string, string | string[]> };
}

/**
 * The local runtime's own `Response` class (the package's exports map hides
 * it, so it is found next to the exported dev runtime).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { Response } = require(
  join(dirname(require.resolve('@twilio/runtime-handler/dev')), 'internal', 'response'),
) as { Response: new () => RuntimeResponse };

// The global the runtime provides; our code uses only `Twilio.Response`.
(globalThis as unknown as { Twilio: { Response: typeof Response } }).Twilio = { Response };

export interface InvokeOptions {
  mock?: TwilioMock;
  /** Environment; defaults to a complete valid test configuration. */
  env?: TestEnv;
  /** JSON body fields (merged into the event like the runtime does). */
  body?: unknown;
  query?: Record<string, string>;
  /** Request headers; `origin` and `content-type` have test defaults. */
  headers?: Record<string, string | undefined>;
  domainName?: string;
  /**
   * Replaces the Twilio timeout the function asks for. Only for load tests
   * (dev/spike.ts), where the fake, the function and the callers share one
   * busy process, so a timeout would measure this machine, not the service.
   */
  twilioTimeoutMs?: number;
}

export interface InvokeResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: unknown;
  /** The body as text, exactly as it would be sent. */
  text: string;
}

export async function invoke(
  // Handlers are typed with their own Env and event; accept any of them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: ServerlessFunctionSignature<any, any>,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const headers: Record<string, string> = {};
  // A JSON body's length, as every client that sends one states it (see
  // assertInBody in src/http.ts); `headers` may change or drop it.
  const sent = options.body === undefined ? undefined : JSON.stringify(options.body);
  const given = {
    origin: SITE_ORIGIN,
    'content-type': 'application/json',
    ...(sent !== undefined && { 'content-length': String(Buffer.byteLength(sent)) }),
    ...options.headers,
  };
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body =
    options.body !== null && typeof options.body === 'object' && !Array.isArray(options.body)
      ? options.body
      : {};
  const event = { request: { headers, cookies: {} }, ...options.query, ...body };
  const env = options.env ?? { ...TEST_ENV };
  const mock = options.mock;
  const context = {
    PATH: '/test',
    DOMAIN_NAME: options.domainName ?? SERVICE_DOMAIN,
    SERVICE_SID: 'ZS' + '0'.repeat(32),
    ENVIRONMENT_SID: 'ZE' + '0'.repeat(32),
    ...env,
    getTwilioClient: (clientOptions: { timeout?: number } = {}) => {
      if (!mock) throw new Error('This test made a Twilio call but passed no mock');
      const timeout = options.twilioTimeoutMs ?? clientOptions.timeout;
      return mock.client({
        accountSid: env.ACCOUNT_SID,
        authToken: env.AUTH_TOKEN,
        ...(timeout !== undefined && { timeout }),
      });
    },
  };

  const response = await new Promise<unknown>((resolve, reject) => {
    const callback = (error: unknown, payload?: unknown) =>
      error
        ? reject(error instanceof Error ? error : new Error(JSON.stringify(error)))
        : resolve(payload);
    Promise.resolve(handler(context as never, event as never, callback)).catch(reject);
  });
  if (!(response instanceof Response))
    throw new Error('Handler did not answer with a Twilio.Response');
  const serialized = response.serialize();
  const text =
    typeof serialized.body === 'string' ? serialized.body : JSON.stringify(serialized.body);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: serialized.statusCode, headers: serialized.headers, body: parsed, text };
}

/** A header of a result, by case-insensitive name. */
export function headerOf(result: InvokeResult, name: string): string | undefined {
  for (const [key, value] of Object.entries(result.headers)) {
    if (key.toLowerCase() === name.toLowerCase())
      return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}
