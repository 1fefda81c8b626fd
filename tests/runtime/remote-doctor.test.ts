/**
 * `npm run doctor -- --url`: the CLI, in process, checking the real local
 * runtime (twilio-run serving dist/) from outside over HTTP, as it would a
 * deployed service: a well-configured service passes, and a website missing
 * from ALLOWED_ORIGINS, a missing variable, a URL with no service and one
 * that does not answer each give their finding and a non-zero exit code.
 * The doctor writes nothing at Twilio: the mock counts zero requests.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, startLocalRuntime, type LocalRuntime } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import type { Check } from '../../scripts/setup/checks';
import { checkCustomerCheck } from '../../scripts/setup/remote-check-customer';
import { checkInteraction } from '../../scripts/setup/remote-endpoints';
import { createProbe } from '../../scripts/setup/remote-http';
import { EnvDir, setupCli } from '../support/setup-cli';

let mock: TwilioMock;
let good: LocalRuntime;
let missing: LocalRuntime;
let dir: EnvDir;

beforeAll(async () => {
  mock = await TwilioMock.start();
  [good, missing] = await Promise.all([
    startLocalRuntime(
      { ...WEBHOOK_ENV, PUBLIC_BASE_URL: 'https://tunnel-1234.example' },
      { mockUrl: mock.baseUrl },
    ),
    startLocalRuntime(
      { ...TEST_ENV, STUDIO_FLOW_SID: undefined, OPENING_HOURS: 'whenever' },
      { mockUrl: mock.baseUrl },
    ),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([good?.stop(), missing?.stop()]);
  await mock?.stop();
});

beforeEach(async () => {
  mock.reset();
  dir = await EnvDir.create();
});

afterEach(async () => {
  expect(mock.requests()).toEqual([]); // from outside, and nothing written
  expect(mock.violations).toEqual([]);
  await dir.remove();
});

interface Row {
  status: string;
  name: string;
  detail: string;
  fix?: string;
}

/** Runs `npm run doctor -- …` and reads its table back. */
async function doctor(argv: string[], envText?: string) {
  const res = await setupCli(mock, dir, ['doctor', ...argv], envText ? { envText } : {});
  const rows: Row[] = [];
  for (const line of res.stdout.split('\n')) {
    const row = /^(✔ OK|! WARN|✘ PROBLEM)\s+(\S+(?: \S+)*?)\s{2,}(.*)$/.exec(line);
    const fix = /^\s+how to fix: (.*)$/.exec(line);
    if (row) rows.push({ status: row[1] ?? '', name: row[2] ?? '', detail: row[3] ?? '' });
    else if (fix && rows.length > 0) rows[rows.length - 1]!.fix = fix[1];
  }
  const row = (name: string) => rows.find((r) => r.name === name);
  return { ...res, rows, row, problems: rows.filter((r) => r.status === '✘ PROBLEM') };
}

const ORIGINS = ['--origin', 'https://www.example.com', '--origin', 'https://shop.example.com'];
/** The local .env with the API_SECRET the runtimes here are deployed with. */
const SECRET_ENV = `API_SECRET=${TEST_ENV.API_SECRET}\n`;

describe('doctor --url on a well-configured service', () => {
  it('passes every check, and exits 0', async () => {
    const res = await doctor(['--url', good.url, ...ORIGINS], SECRET_ENV);
    expect(res.stderr).toBe('');
    expect(res.rows.map((r) => [r.status, r.name])).toEqual(
      [
        '/status',
        'webchat.js',
        'webchat-sdk.js',
        'webchat-solver.js',
        'CORS https://www.example.com',
        'CORS https://shop.example.com',
        'other websites',
        'preflight',
        '/challenge',
        '/availability',
        'token in body',
        '/interaction',
        '/check-customer',
      ].map((name) => ['✔ OK', name]),
    );
    expect(res.row('/status')?.detail).toBe('configured: HANDOFF_MODE=webhook, challenge on');
    expect(res.row('webchat.js')?.detail).toMatch(/KB, application\/javascript/);
    expect(res.row('token in body')?.detail).toMatch(/HTTP 401 for a bad token/);
    expect(res.row('/interaction')?.detail).toBe(
      'an unsigned call is refused by the function (HTTP 403)',
    );
    expect(res.row('/check-customer')?.detail).toBe(
      "answers the Studio flow: verifies a customer signed with .env's API_SECRET, refuses one nobody signed",
    );
    expect(res.stdout).toContain('No problems: the service is ready for your websites.');
    expect(res.code).toBe(0);
  });

  it("takes the websites from the local .env's ALLOWED_ORIGINS: one the service lacks is a problem", async () => {
    const res = await doctor(
      ['--url', good.url],
      'ALLOWED_ORIGINS=https://www.example.com,https://new.example.com\n',
    );
    expect(res.stdout).toContain(`websites from ${dir.envFile}'s ALLOWED_ORIGINS`);
    expect(res.row('CORS https://www.example.com')?.status).toBe('✔ OK');
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'CORS https://new.example.com',
        detail: expect.stringContaining(
          'refused (403 origin_not_allowed): the deployed ALLOWED_ORIGINS does not list https://new.example.com',
        ),
        fix: expect.stringContaining(
          'add https://new.example.com to ALLOWED_ORIGINS in .env (comma-separated origins: scheme and host, no path), then npm run deploy',
        ),
      },
    ]);
    expect(res.code).toBe(1);
  });

  it('says so when it has no website to check', async () => {
    const res = await doctor(['--url', good.url]);
    expect(res.row('CORS')).toMatchObject({
      status: '! WARN',
      fix: 'pass --origin https://www.example.com (once per website)',
    });
    expect(res.code).toBe(0);
  });

  it('reports the function, not Twilio, refusing /interaction on a deployed service', async () => {
    // Deployed, a protected function never sees an unsigned call: Twilio refuses
    // it first. The function's own 403 there means it was deployed public.
    const rows: Check[] = [];
    await checkInteraction(createProbe(good.url), false, (name, status, detail, fix) =>
      rows.push({ name, status, detail, ...(fix && { fix }) }),
    );
    expect(rows).toEqual([
      {
        name: '/interaction',
        status: 'warn',
        detail: expect.stringContaining('Twilio did not check the signature'),
        fix: expect.stringContaining('interaction.protected.ts'),
      },
    ]);
  });
});

describe('doctor --url: /check-customer', () => {
  /** checkCustomerCheck's rows against a server that answers as `handle` says. */
  async function rowsFrom(handle: Parameters<typeof createServer>[1], apiSecret?: string) {
    const server = await serve(handle);
    const rows: Check[] = [];
    let requests = 0;
    server.on('request', () => (requests += 1));
    try {
      await checkCustomerCheck(
        createProbe(urlOf(server)),
        (name, status, detail, fix) => rows.push({ name, status, detail, ...(fix && { fix }) }),
        apiSecret,
      );
    } finally {
      server.close();
    }
    return { rows, requests };
  }

  /** A stub that answers every check the same. */
  const always = (verified: boolean) =>
    rowsFrom((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ verified, answers: {} }));
    }, TEST_ENV.API_SECRET);

  it('an older deployment without it: a problem saying what signed-in customers lose', async () => {
    const { rows } = await rowsFrom((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>');
    }, TEST_ENV.API_SECRET);
    expect(rows).toEqual([
      {
        name: '/check-customer',
        status: 'problem',
        detail:
          "HTTP 404, not deployed: the Studio flow's customer check fails, so signed-in customers reach agents without customer",
        fix: expect.stringContaining('npm run deploy'),
      },
    ]);
  });

  it('a stub that refuses everything (it only proves refusal): a problem, from the signed probe', async () => {
    const { rows, requests } = await always(false);
    expect(requests).toBe(2);
    expect(rows).toEqual([
      {
        name: '/check-customer',
        status: 'problem',
        detail: expect.stringContaining(
          "does not verify a customer signed with the local .env's API_SECRET",
        ),
        fix: expect.stringContaining('npm run deploy uploads its API_SECRET'),
      },
    ]);
  });

  it('a stub that verifies everything: a problem, from the unsigned probe', async () => {
    const { rows } = await always(true);
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'problem',
        detail: expect.stringContaining('answered verified: true for a customer nobody signed'),
      }),
    ]);
  });

  it('the service deployed with another API_SECRET than the local .env’s: a problem', async () => {
    const res = await doctor(
      ['--url', good.url, ...ORIGINS],
      'API_SECRET=another-secret-0123456789\n',
    );
    expect(res.problems).toEqual([
      expect.objectContaining({
        name: '/check-customer',
        detail: expect.stringContaining('the deployed API_SECRET differs'),
      }),
    ]);
    expect(res.code).toBe(1);
  });

  it('no API_SECRET in the local .env: only refusal is checked, a warning that says so', async () => {
    const res = await doctor(['--url', good.url, ...ORIGINS]);
    expect(res.row('/check-customer')).toEqual({
      status: '! WARN',
      name: '/check-customer',
      detail:
        'refuses a customer nobody signed; whether it verifies one this service signed was not checked: no API_SECRET in the local .env',
      fix: 'run doctor where the .env with the deployed API_SECRET is (or pass --env-path)',
    });
    expect(res.code).toBe(0);
  });
});

describe('doctor --url on a service that lacks a variable and has a malformed one', () => {
  it('names each variable once with what to do, and still checks the rest', async () => {
    const res = await doctor(
      ['--url', missing.url, '--origin', 'https://www.example.com'],
      SECRET_ENV,
    );
    expect(res.row('STUDIO_FLOW_SID')).toEqual({
      status: '✘ PROBLEM',
      name: 'STUDIO_FLOW_SID',
      detail: expect.stringMatching(/^STUDIO_FLOW_SID /),
      fix: "set it in .env (npm run setup finds it in your account), then npm run deploy again: it uploads .env's variables",
    });
    // Named by /status and again by /availability, which reads it: one row.
    expect(res.rows.filter((r) => r.name === 'OPENING_HOURS')).toEqual([
      expect.objectContaining({
        status: '✘ PROBLEM',
        detail: expect.stringMatching(/^OPENING_HOURS /),
      }),
    ]);
    expect(res.row('/availability')).toBeUndefined();
    expect(res.row('CORS https://www.example.com')?.status).toBe('✔ OK');
    expect(res.row('/challenge')).toMatchObject({
      status: '✘ PROBLEM',
      detail: '503 not_configured (STUDIO_FLOW_SID): no chat can start',
    });
    expect(res.row('token in body')).toBeUndefined(); // needs a configured service
    // Needs API_SECRET alone: the Studio flow's check still answers.
    expect(res.row('/check-customer')?.status).toBe('✔ OK');
    expect(res.row('webchat.js')?.status).toBe('✔ OK');
    expect(res.code).toBe(1);
  });
});

/** A server that answers every request as `handle` says. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

const urlOf = (server: Server) => `http://localhost:${(server.address() as AddressInfo).port}`;

describe('doctor --url where there is no service', () => {
  it('a URL with nothing deployed (404): one finding, and nothing else asked', async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests += 1;
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    try {
      const res = await doctor(['--url', urlOf(server), ...ORIGINS]);
      expect(res.rows).toEqual([
        {
          status: '✘ PROBLEM',
          name: '/status',
          detail: `HTTP 404 at ${urlOf(server)}/status: no chat service here (or not deployed yet)`,
          fix: 'use the domain npm run deploy printed (…twil.io), or deploy with npm run deploy',
        },
      ]);
      expect(requests).toBe(1);
      expect(res.code).toBe(1);
    } finally {
      server.close();
    }
  });

  it('a URL that does not answer', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const res = await doctor(['--url', url]);
    expect(res.rows).toEqual([
      expect.objectContaining({
        status: '✘ PROBLEM',
        name: 'service',
        detail: expect.stringContaining(`no answer from ${url}: connect ECONNREFUSED`),
      }),
    ]);
    expect(res.code).toBe(1);
  });
});

describe('doctor --url through a proxy that drops Content-Length', () => {
  it('finds that /refresh-token can no longer tell a token in the body from one in the URL', async () => {
    // Forwards each request to the runtime with its body chunked (no
    // Content-Length), as the function would see it if the platform withheld
    // that header: src/http.ts assertInBody then refuses every token.
    const target = new URL(good.url);
    const proxy = await serve((req, res) => {
      const headers = { ...req.headers, host: target.host };
      delete headers['content-length'];
      if (headers.origin === urlOf(proxy)) headers.origin = good.url; // its own page
      const upstream = request(
        { host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    try {
      const res = await doctor(['--url', urlOf(proxy), '--origin', 'https://www.example.com']);
      expect(res.problems.map((r) => r.name)).toEqual(['token in body']);
      expect(res.row('token in body')?.detail).toContain(
        'Content-Length did not reach the function',
      );
      expect(res.code).toBe(1);
    } finally {
      proxy.close();
    }
  });
});

describe('doctor --url: arguments', () => {
  it.each([
    [['doctor', '--origin', 'https://www.example.com'], '--origin goes with --url'],
    [['--url', 'https://x.twil.io'], '--url and --origin are options of doctor'],
    [['doctor', '--url', 'x.twil.io'], '--url must be a URL'],
    [['doctor', '--url', 'ftp://x.twil.io'], '--url must start with https://'],
    [
      ['doctor', '--url', 'https://x.twil.io', '--origin', 'https://www.example.com/page'],
      '--origin https://www.example.com/page: write scheme://host[:port], no path',
    ],
  ])('%j is refused', async (argv, message) => {
    const res = await setupCli(mock, dir, argv);
    expect(res.stderr).toContain(message);
    expect(res.code).toBe(2);
  });
});
