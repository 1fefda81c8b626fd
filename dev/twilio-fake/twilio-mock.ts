/**
 * A local, stateful stand-in for Twilio's REST API, for tests and benchmarks.
 *
 * - The real `twilio` library talks to it over HTTP (see `mockClient`), so
 *   form encoding, headers and Basic auth are the library's own.
 * - Every request is validated against Twilio's OpenAPI specs (when present);
 *   violations are recorded and answered with a 400, like Twilio would.
 * - It keeps state (conversations, webhooks, messages...), so a test can check
 *   what is left behind, and answers like Twilio does (404 for what is gone).
 * - Failures can be injected per route: before the route acts (Twilio refused)
 *   or after it (Twilio acted but the answer was lost).
 * - Twilio's documented rate limits are enforced (rate-limits.ts): past them
 *   a create is refused with a 429, as Twilio does; `rateLimit()` changes one.
 * - An artificial latency per request lets the benchmark count round trips.
 *
 * @example
 *   const mock = await TwilioMock.start(); // or, in a test file, TwilioMock.perTest()
 *   mock.failNext('webhooks.create', { status: 500 });
 *   // ... call a handler with mock.client() ...
 *   expect(mock.requests('conversations.create')).toHaveLength(1);
 *   await mock.stop();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { loadSpecs, type SpecValidator } from './openapi';
import { documentedRateLimits, RateLimiter, type RateLimit } from './rate-limits';
import { TEST_ENV } from './env';

export interface RecordedRequest {
  /** Our route name, e.g. `conversations.create`. */
  name: string;
  /** The spec's operationId, when the specs are loaded. */
  operationId?: string;
  method: string;
  host: string;
  path: string;
  query: Record<string, string[]>;
  form: Record<string, string[]>;
  headers: Record<string, string | undefined>;
  startedAt: number;
  endedAt: number;
  /** The status answered; undefined when the connection was dropped instead. */
  status?: number;
}

/** A request held by `holdNext`: it has arrived once `reached` resolves. */
export interface Hold {
  reached: Promise<void>;
  release(): void;
}

export interface Failure {
  status: number;
  /** Twilio error code in the body (default: 20500 for 5xx, 20001 otherwise). */
  code?: number;
  message?: string;
  /**
   * `before` (default): Twilio refused. `after`: it acted, then answered with
   * this error. `drop`: it acted, then the connection was cut (no answer).
   */
  when?: 'before' | 'after' | 'drop';
  /** With `after` or `drop`: what else happens before the caller hears (a flow replying, say). */
  then?: (params: Record<string, string>) => void;
  /** How many requests fail (default 1). */
  times?: number;
}

/**
 * A Twilio failure and what the caller of our functions gets for it:
 * [Twilio's status, our status, our error code].
 */
export const TWILIO_FAILURES = [
  [400, 502, 'upstream_error'],
  [500, 502, 'upstream_error'],
  [503, 502, 'upstream_error'],
  [429, 503, 'upstream_rate_limited'],
] as const;

export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, string[]>;
  form: Record<string, string[]>;
  headers: Record<string, string | undefined>;
  /**
   * The raw request body. `form` is parsed from it unless the body is
   * multipart (the Serverless upload host), which a route parses itself.
   */
  body?: Buffer;
}

export interface RouteOutput {
  status: number;
  body?: unknown;
  /** Cut the connection instead of answering. */
  drop?: boolean;
}

type RouteHandler = (input: RouteInput, mock: TwilioMock) => RouteOutput | Promise<RouteOutput>;

interface RouteDef {
  name: string;
  method: string;
  regex: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/** `twilioError(404, 20404, 'not found')`: a body shaped like Twilio's errors. */
export function twilioError(status: number, code: number, message: string): RouteOutput {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

export function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** First value of a form field. */
export function field(input: { form: Record<string, string[]> }, name: string): string | undefined {
  return input.form[name]?.[0];
}

/**
 * A few turns of the event loop, so requests already on their way are taken
 * in before a latency timer counts as "answered". The client under test runs
 * in this process: when a busy moment (a spec validator compiled for the
 * first time) holds the loop past the latency, libuv fires due timers before
 * it reads sockets, and a request sent alongside another would look as if it
 * were sent after the other's answer (one round trip too many).
 */
async function drainPendingIo(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export class TwilioMock {
  readonly recorded: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Milliseconds to wait before answering each request. */
  latencyMs = 0;
  /** Free-form state for route modules (conversations, interactions, ...). */
  readonly state = new Map<string, unknown>();

  private readonly routes: RouteDef[] = [];
  private readonly credentialChecks: ((username: string, password: string) => boolean)[] = [];
  private readonly failures = new Map<string, Failure[]>();
  private readonly holds = new Map<string, { arrive(): void; released: Promise<void> }[]>();
  private rateLimits = documentedRateLimits();
  private readonly limiter = new RateLimiter();
  private readonly specs: SpecValidator | undefined;
  private server?: Server;
  private port = 0;

  private constructor(validate: boolean) {
    this.specs = validate ? loadSpecs() : undefined;
  }

  /** Starts a mock with every route module installed. */
  static async start(options: { validate?: boolean } = {}): Promise<TwilioMock> {
    const mock = new TwilioMock(options.validate ?? true);
    const { installRoutes } = await import('./apis');
    installRoutes(mock);
    await mock.listen();
    return mock;
  }

  /**
   * The mock of one test file, in Jest: listening before the file's first
   * test, reset (then `seed` run) before each test, stopped after the last.
   * After each test, no request may have broken Twilio's OpenAPI specs.
   *
   * @example
   *   const mock = TwilioMock.perTest((m) => seedChatAddress(m));
   *   it('...', async () => {
   *     await invoke(handler, { mock });
   *     expect(mock.requests('conversations.create')).toHaveLength(1);
   *   });
   */
  static perTest(seed?: (mock: TwilioMock) => void): TwilioMock {
    const mock = new TwilioMock(true);
    beforeAll(async () => {
      const { installRoutes } = await import('./apis');
      installRoutes(mock);
      await mock.listen();
    });
    afterAll(() => mock.stop());
    beforeEach(() => {
      mock.reset();
      seed?.(mock);
    });
    afterEach(() => expect(mock.violations).toEqual([]));
    return mock;
  }

  /** Whether requests are being checked against Twilio's OpenAPI specs. */
  get validating(): boolean {
    return this.specs !== undefined;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Registers a route. `path` is `host/path` with `:name` parameters, e.g.
   * `conversations.twilio.com/v1/Services/:serviceSid/Conversations/:sid`.
   */
  route(name: string, method: string, path: string, handler: RouteHandler): void {
    const keys: string[] = [];
    const pattern = path
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          keys.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ name, method, regex: new RegExp(`^/${pattern}$`), keys, handler });
  }

  /**
   * Accepts other Basic-auth credentials than the account's own, e.g. API
   * keys a route module knows (`SK…:secret`), as Twilio does.
   */
  acceptCredentials(check: (username: string, password: string) => boolean): void {
    this.credentialChecks.push(check);
  }

  /**
   * Holds the next request to a route before Twilio acts on it, until
   * `release()`: a test can then act while a start is between two steps
   * (`await hold.reached` first).
   */
  holdNext(name: string): Hold {
    let arrive = () => {};
    let release = () => {};
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(name, [...(this.holds.get(name) ?? []), { arrive, released }]);
    return { reached, release };
  }

  /** Makes the next request(s) to a route fail. */
  failNext(name: string, failure: Failure): void {
    const queue = this.failures.get(name) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i++) queue.push(failure);
    this.failures.set(name, queue);
  }

  /**
   * Sets (or, with undefined, lifts) the rate limit of a route until the next
   * `reset()`, which restores Twilio's documented limits (rate-limits.ts).
   */
  rateLimit(name: string, limit: Partial<RateLimit> | undefined): void {
    if (!limit) {
      this.rateLimits.delete(name);
      return;
    }
    const current = this.rateLimits.get(name);
    this.rateLimits.set(name, {
      perSecond: limit.perSecond ?? current?.perSecond ?? 1,
      code: limit.code ?? current?.code ?? 20429,
      message: limit.message ?? current?.message ?? 'Too Many Requests',
      bucket: limit.bucket ?? current?.bucket ?? (() => name),
    });
  }

  /** Requests made so far, optionally only those to one route. */
  requests(name?: string): RecordedRequest[] {
    return name ? this.recorded.filter((r) => r.name === name) : [...this.recorded];
  }

  /**
   * Requests that may have changed Twilio's state: any but a GET, unless
   * refused (4xx or 5xx); a dropped connection counts, as Twilio may have acted.
   */
  writes(): RecordedRequest[] {
    return this.recorded.filter(
      (r) => r.method !== 'GET' && (r.status === undefined || r.status < 400),
    );
  }

  /**
   * The longest chain of requests each started after the previous one
   * finished: the round trips on the critical path. Meaningful with a
   * latency large enough that concurrent requests overlap (>= 10 ms).
   */
  sequentialRoundTrips(requests = this.recorded): number {
    const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
    const depth = new Map<RecordedRequest, number>();
    for (const r of sorted) {
      let d = 1;
      for (const before of sorted) {
        if (before.endedAt <= r.startedAt) d = Math.max(d, (depth.get(before) ?? 1) + 1);
      }
      depth.set(r, d);
    }
    return Math.max(0, ...depth.values());
  }

  reset(): void {
    this.recorded.length = 0;
    this.violations.length = 0;
    this.failures.clear();
    this.holds.clear();
    this.state.clear();
    this.rateLimits = documentedRateLimits();
    this.limiter.reset();
    this.latencyMs = 0;
  }

  /**
   * The real `twilio` library, pointed at this mock. `username` and
   * `password` default to the account's SID and token; pass an API key and
   * its secret (with `accountSid`) to authenticate as the key.
   */
  client(
    options: {
      accountSid?: string;
      authToken?: string;
      username?: string;
      password?: string;
      /** Per-request timeout (ms), as `getTwilioClient({ timeout })` sets it. */
      timeout?: number;
    } = {},
  ): twilio.Twilio {
    const accountSid = options.accountSid ?? TEST_ENV.ACCOUNT_SID;
    const httpClient = new MockRequestClient(this.baseUrl, options.timeout);
    return twilio(
      options.username ?? accountSid,
      options.password ?? options.authToken ?? TEST_ENV.AUTH_TOKEN,
      { accountSid, httpClient, lazyLoading: true },
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push(`mock crashed: ${String(error)}`);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server?.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://mock');
    const [, host = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const raw = await readBody(req);
    const multipart = /^multipart\//i.test(req.headers['content-type'] ?? '');
    const request = {
      host,
      method: req.method ?? 'GET',
      path,
      query: multimap(url.searchParams),
      form: multipart ? {} : multimap(new URLSearchParams(raw.toString('utf8'))),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      ),
    };
    const route = this.routes.find(
      (r) => r.method === request.method && r.regex.test(`/${host}${path}`),
    );
    const record: RecordedRequest = {
      name: route?.name ?? 'unknown',
      host: request.host,
      method: request.method,
      path: request.path,
      query: request.query,
      form: request.form,
      headers: request.headers,
      startedAt,
      endedAt: startedAt,
    };
    this.recorded.push(record);

    const output = await this.answer({ ...request, body: raw }, route, record);
    if (this.latencyMs > 0) {
      await new Promise((r) => setTimeout(r, this.latencyMs));
      await drainPendingIo();
    }
    record.endedAt = performance.now();
    if (!output.drop) record.status = output.status;
    if (output.drop) {
      req.socket.destroy();
      return;
    }
    const body = output.body === undefined ? '' : JSON.stringify(output.body);
    res.writeHead(output.status, { 'Content-Type': 'application/json' }).end(body);
  }

  private async answer(
    request: Omit<RouteInput, 'params'> & { host: string; method: string; path: string },
    route: RouteDef | undefined,
    record: RecordedRequest,
  ): Promise<RouteOutput> {
    const unauthenticated = this.authenticate(request.headers.authorization);
    if (unauthenticated) return unauthenticated;
    if (this.specs) {
      const result = this.specs.validateRequest(request);
      record.operationId = result.operationId;
      if (result.violations.length > 0) {
        this.violations.push(...result.violations);
        return twilioError(400, 20001, result.violations.join('; '));
      }
    }
    if (!route) {
      this.violations.push(`no mock route for ${request.method} ${request.host}${request.path}`);
      return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    }
    const match = route.regex.exec(`/${request.host}${request.path}`);
    const params = Object.fromEntries(
      route.keys.map((k, i) => [k, decodeURIComponent(match?.[i + 1] ?? '')]),
    );
    const limit = this.rateLimits.get(route.name);
    if (limit && !this.limiter.admit(limit, { ...request, params })) {
      return twilioError(429, limit.code, limit.message);
    }
    const hold = this.holds.get(route.name)?.shift();
    if (hold) {
      hold.arrive();
      await hold.released;
    }
    const failure = this.failures.get(route.name)?.shift();
    if (failure && (failure.when ?? 'before') === 'before') return failureOutput(failure);
    const output = await route.handler({ ...request, params }, this);
    if (this.specs && output.body !== undefined) {
      const problems = this.specs.validateResponse(request, output.status, output.body);
      this.violations.push(...problems.map((v) => `mock bug: ${v}`));
    }
    failure?.then?.(params);
    if (failure?.when === 'drop') return { status: 0, drop: true };
    return failure ? failureOutput(failure) : output;
  }

  private authenticate(authorization: string | undefined): RouteOutput | undefined {
    const expected = `Basic ${Buffer.from(
      `${TEST_ENV.ACCOUNT_SID}:${TEST_ENV.AUTH_TOKEN}`,
    ).toString('base64')}`;
    if (authorization === expected) return undefined;
    const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
    const [username = '', ...rest] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':');
    if (basic && this.credentialChecks.some((check) => check(username, rest.join(':')))) {
      return undefined;
    }
    return twilioError(401, 20003, 'Authenticate');
  }
}

function failureOutput(failure: Failure): RouteOutput {
  const code =
    failure.code ?? (failure.status >= 500 ? 20500 : failure.status === 429 ? 20429 : 20001);
  return twilioError(
    failure.status,
    code,
    failure.message ?? `Injected failure (${failure.status})`,
  );
}

function multimap(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of params) (out[key] ??= []).push(value);
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The library's own request client (axios, form encoding, auth), with every
 * `https://<host>/...` rewritten to `http://127.0.0.1:<port>/<host>/...`.
 */
export class MockRequestClient extends RequestClient {
  constructor(
    private readonly baseUrl: string,
    timeout?: number,
  ) {
    super({ keepAlive: false, ...(timeout !== undefined && { timeout }) });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const url = new URL(opts.uri);
    const uri = `${this.baseUrl}/${url.host}${url.pathname}${url.search}`;
    return super.request({ ...opts, uri });
  }
}
