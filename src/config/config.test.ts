import { ConfigError } from '../errors';
import { DEFAULT_CHALLENGE_MAX_NUMBER } from '../guard/challenge';
import { DEFAULTS, loadConfig, normalizeOrigin, parseIsoDuration, readAllowedOrigins } from '.';

const valid = {
  ACCOUNT_SID: 'AC' + 'a'.repeat(32),
  AUTH_TOKEN: '0123456789abcdef'.repeat(2),
  API_KEY: 'SK' + 'b'.repeat(32),
  API_SECRET: 'secret',
  CONVERSATIONS_SERVICE_SID: 'IS' + 'c'.repeat(32),
  STUDIO_FLOW_SID: 'FW' + 'd'.repeat(32),
};

function problemsOf(
  env: Record<string, string | undefined>,
  domainName = 'example-1234.twil.io',
): Record<string, string> {
  try {
    loadConfig(env, { domainName });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return Object.fromEntries(error.problems.map((p) => [p.field, p.problem]));
  }
  return {};
}

/** A complete webhook-mode environment. */
const webhook = {
  ...valid,
  HANDOFF_MODE: 'webhook',
  TASKROUTER_WORKSPACE_SID: 'WS' + 'e'.repeat(32),
  TASKROUTER_WORKFLOW_SID: 'WW' + 'f'.repeat(32),
};

describe('loadConfig', () => {
  it('reads a complete configuration with defaults', () => {
    const config = loadConfig(valid, { domainName: 'example-1234.twil.io' });
    expect(config).toEqual({
      accountSid: valid.ACCOUNT_SID,
      authToken: valid.AUTH_TOKEN,
      apiKey: valid.API_KEY,
      apiSecret: 'secret',
      conversationsServiceSid: valid.CONVERSATIONS_SERVICE_SID,
      handoffMode: 'studio',
      handoff: { mode: 'studio', studioFlowSid: valid.STUDIO_FLOW_SID },
      allowedOrigins: ['https://example-1234.twil.io'],
      tokenTtlSeconds: 3600,
      sessionMaxAgeSeconds: 86_400,
      refreshGraceSeconds: 300,
      timers: { closed: DEFAULTS.closedTimer },
      syncServiceSid: 'default',
      challenge: { enabled: true, maxNumber: DEFAULT_CHALLENGE_MAX_NUMBER },
      hours: { schedule: undefined, afterHours: 'closed' },
      customer: {
        secret: undefined,
        publicKey: undefined,
        jwksUrl: undefined,
        issuer: '',
        audience: '',
        maxLifetimeSeconds: 600,
        claims: [],
        requireSignedIn: false,
        showPreviousChat: false,
      },
    });
  });

  it('names every missing variable at once, as a 503', () => {
    let caught: unknown;
    try {
      loadConfig({});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.status).toBe(503);
    expect(error.code).toBe('not_configured');
    expect(error.problems.map((p) => p.field)).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
      'API_KEY',
      'API_SECRET',
      'CONVERSATIONS_SERVICE_SID',
      'STUDIO_FLOW_SID',
    ]);
    expect(error.message).toContain('.env.example');
  });

  it('refuses an AUTH_TOKEN that is not 32 letters and digits, as the runtime would', () => {
    for (const token of ['x', 'f'.repeat(31), 'f'.repeat(33), 'f'.repeat(31) + '-']) {
      expect(problemsOf({ ...valid, AUTH_TOKEN: token })).toEqual({
        AUTH_TOKEN: expect.stringMatching(
          /^must be the account's Auth Token: 32 letters and digits/,
        ),
      });
    }
  });

  it('says which kind of SID it expected and which it found', () => {
    const problems = problemsOf({ ...valid, CONVERSATIONS_SERVICE_SID: 'AD' + 'c'.repeat(32) });
    expect(problems.CONVERSATIONS_SERVICE_SID).toMatch(/Conversations Service SID \(IS/);
    expect(problems.CONVERSATIONS_SERVICE_SID).toMatch(/another kind \(AD…\)/);
    const swapped = problemsOf({ ...valid, STUDIO_FLOW_SID: 'IS' + 'c'.repeat(32) });
    expect(swapped.STUDIO_FLOW_SID).toMatch(
      /Studio Flow SID.*but this is a Conversations Service SID/,
    );
  });

  it('never echoes a value in a problem', () => {
    const secretish = 'AD' + '7'.repeat(32);
    const problems = problemsOf({
      ...valid,
      CONVERSATIONS_SERVICE_SID: secretish,
      TOKEN_TTL_SECONDS: 'ninety',
      ALLOWED_ORIGINS: 'https://ok.example.com,not a url',
    });
    const text = JSON.stringify(problems);
    expect(text).not.toContain(secretish);
    expect(text).not.toContain('ninety');
    expect(text).not.toContain('not a url');
  });

  it('rejects malformed SIDs and a SID given as API_SECRET', () => {
    expect(problemsOf({ ...valid, ACCOUNT_SID: 'AC123' }).ACCOUNT_SID).toMatch(
      /must be an Account SID/,
    );
    expect(problemsOf({ ...valid, API_SECRET: valid.API_KEY }).API_SECRET).toMatch(
      /looks like a SID/,
    );
  });

  it('checks numbers and their ranges', () => {
    expect(problemsOf({ ...valid, TOKEN_TTL_SECONDS: '86401' }).TOKEN_TTL_SECONDS).toMatch(
      /60 to 86400/,
    );
    expect(problemsOf({ ...valid, TOKEN_TTL_SECONDS: '1e3' }).TOKEN_TTL_SECONDS).toBeDefined();
    expect(
      problemsOf({ ...valid, REFRESH_GRACE_SECONDS: '-1' }).REFRESH_GRACE_SECONDS,
    ).toBeDefined();
    expect(loadConfig({ ...valid, TOKEN_TTL_SECONDS: '86400' }).tokenTtlSeconds).toBe(86_400);
  });

  it("enforces Twilio's timer minimums and their order", () => {
    expect(problemsOf({ ...valid, CONVERSATION_INACTIVE_TIMER: 'PT30S' })).toHaveProperty(
      'CONVERSATION_INACTIVE_TIMER',
      expect.stringMatching(/at least 1 minute \(/),
    );
    expect(problemsOf({ ...valid, CONVERSATION_CLOSED_TIMER: 'PT9M' })).toHaveProperty(
      'CONVERSATION_CLOSED_TIMER',
    );
    expect(problemsOf({ ...valid, CONVERSATION_CLOSED_TIMER: 'P1M' })).toHaveProperty(
      'CONVERSATION_CLOSED_TIMER',
      expect.stringMatching(/ISO 8601/),
    );
    expect(
      problemsOf({
        ...valid,
        CONVERSATION_INACTIVE_TIMER: 'P2D',
        CONVERSATION_CLOSED_TIMER: 'P1D',
      }),
    ).toHaveProperty('CONVERSATION_INACTIVE_TIMER', expect.stringMatching(/shorter/));
    expect(
      loadConfig({
        ...valid,
        CONVERSATION_INACTIVE_TIMER: 'PT5M',
        CONVERSATION_CLOSED_TIMER: 'PT10M',
      }).timers,
    ).toEqual({ inactive: 'PT5M', closed: 'PT10M' });
  });

  it('leaves the timers unread where no conversation is created (/end-chat, /interaction)', () => {
    const env = { ...valid, CONVERSATION_CLOSED_TIMER: 'PT9M' };
    expect(loadConfig(env, {}, ['twilio', 'tokens', 'service', 'mode'])).toHaveProperty(
      'conversationsServiceSid',
      valid.CONVERSATIONS_SERVICE_SID,
    );
    expect(() => loadConfig(env, {}, ['chats'])).toThrow(ConfigError);
  });

  it('reads address mode: a Chat Address SID, and nothing else to route', () => {
    const env = { ...valid, HANDOFF_MODE: 'address', ADDRESS_SID: 'IG' + 'e'.repeat(32) };
    const config = loadConfig(env, { domainName: 'example-1234.twil.io' });
    expect(config.handoff).toEqual({ mode: 'address', addressSid: env.ADDRESS_SID });
    expect(config.interaction).toBeUndefined();
    expect(problemsOf({ ...valid, HANDOFF_MODE: 'address' }).ADDRESS_SID).toMatch(
      /is required: a Conversations Address Configuration \(Chat Address\) SID \(IG/,
    );
    expect(
      problemsOf({
        ...valid,
        HANDOFF_MODE: 'address',
        ADDRESS_SID: valid.CONVERSATIONS_SERVICE_SID,
      }).ADDRESS_SID,
    ).toMatch(/Chat Address\) SID \(IG.*but this is a Conversations Service SID/);
  });

  it('in address mode, routes /interaction when ADDRESS_ROUTES_TO=webhook', () => {
    const env = {
      ...valid,
      HANDOFF_MODE: 'address',
      ADDRESS_SID: 'IG' + 'e'.repeat(32),
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: 'WS' + '5'.repeat(32),
      TASKROUTER_WORKFLOW_SID: 'WW' + '6'.repeat(32),
    };
    const config = loadConfig(env, { domainName: 'example-1234.twil.io' });
    expect(config.handoff).toEqual({ mode: 'address', addressSid: env.ADDRESS_SID });
    expect(config.interaction).toEqual({
      interactionUrl: 'https://example-1234.twil.io/interaction',
      workspaceSid: env.TASKROUTER_WORKSPACE_SID,
      workflowSid: env.TASKROUTER_WORKFLOW_SID,
      taskChannel: 'chat',
      namedAfterCustomer: false,
    });
    const half = { ...env, TASKROUTER_WORKFLOW_SID: undefined };
    expect(problemsOf(half).TASKROUTER_WORKFLOW_SID).toMatch(/is required/);
    // Starting a chat whose /interaction could not route it is refused too.
    expect(() => loadConfig(half, {}, ['handoff'])).toThrow(ConfigError);
    expect(problemsOf({ ...env, ADDRESS_ROUTES_TO: 'flex' }).ADDRESS_ROUTES_TO).toMatch(
      /one of: studio, webhook/,
    );
  });

  it('in address mode, ADDRESS_ROUTES_TO=studio (the default) leaves TaskRouter variables unread', () => {
    const env = {
      ...valid,
      HANDOFF_MODE: 'address',
      ADDRESS_SID: 'IG' + 'e'.repeat(32),
      ADDRESS_ROUTES_TO: 'studio',
      TASKROUTER_WORKSPACE_SID: 'WS' + '5'.repeat(32),
    };
    expect(loadConfig(env, { domainName: 'localhost:3000' }).interaction).toBeUndefined();
  });

  it("names ADDRESS_ROUTES_TO for a .env from before it, where TaskRouter variables meant 'webhook'", () => {
    const env = {
      ...valid,
      HANDOFF_MODE: 'address',
      ADDRESS_SID: 'IG' + 'e'.repeat(32),
      TASKROUTER_WORKSPACE_SID: 'WS' + '5'.repeat(32),
      TASKROUTER_WORKFLOW_SID: 'WW' + '6'.repeat(32),
    };
    const local = { domainName: 'localhost:3000' };
    // Starting a chat does not depend on it (nor on PUBLIC_BASE_URL)...
    expect(loadConfig(env, local, ['handoff']).handoff).toEqual({
      mode: 'address',
      addressSid: env.ADDRESS_SID,
    });
    // ...but /interaction and /status name it, with what to do.
    expect(problemsOf(env, 'localhost:3000')).toEqual({
      ADDRESS_ROUTES_TO: expect.stringMatching(
        /is not set but TASKROUTER_\* are.*ADDRESS_ROUTES_TO=webhook.*npm run setup writes it/,
      ),
    });
  });

  it('reads flex-flow mode: a Flex Flow SID', () => {
    const env = { ...valid, HANDOFF_MODE: 'flex-flow', FLEX_FLOW_SID: 'FO' + 'f'.repeat(32) };
    const config = loadConfig(env, { domainName: 'example-1234.twil.io' });
    expect(config.handoff).toEqual({ mode: 'flex-flow', flexFlowSid: env.FLEX_FLOW_SID });
    expect(config.interaction).toBeUndefined();
    expect(problemsOf({ ...valid, HANDOFF_MODE: 'flex-flow' })).toEqual({
      FLEX_FLOW_SID: expect.stringMatching(/is required: a Flex Flow SID \(FO/),
    });
  });

  it('refuses lower-case SID kinds and timers beyond a year', () => {
    expect(
      problemsOf({ ...valid, CONVERSATIONS_SERVICE_SID: 'is' + 'c'.repeat(32) }),
    ).toHaveProperty('CONVERSATIONS_SERVICE_SID');
    expect(loadConfig({ ...valid, API_KEY: 'SK' + 'B'.repeat(32) }).apiKey).toBe(
      'SK' + 'B'.repeat(32),
    );
    expect(
      problemsOf({ ...valid, CONVERSATION_CLOSED_TIMER: 'P99999999999999999999D' }),
    ).toHaveProperty('CONVERSATION_CLOSED_TIMER', expect.stringMatching(/at most a year/));
  });

  it('keeps a tunnel URL out of a deployed service', () => {
    const local = loadConfig(
      { ...webhook, PUBLIC_BASE_URL: 'https://abc.ngrok.app' },
      { domainName: 'localhost:3000' },
    );
    expect(local.handoff).toMatchObject({ interactionUrl: 'https://abc.ngrok.app/interaction' });
    expect(problemsOf({ ...webhook, PUBLIC_BASE_URL: 'https://abc.ngrok.app' })).toHaveProperty(
      'PUBLIC_BASE_URL',
      expect.stringMatching(/deployed/),
    );
    expect(problemsOf({ ...webhook, PUBLIC_BASE_URL: 'https://example-1234.twil.io' })).toEqual({});
    expect(problemsOf({ ...webhook, PUBLIC_BASE_URL: 'http://abc.ngrok.app' })).toHaveProperty(
      'PUBLIC_BASE_URL',
    );
  });

  it('refuses a PUBLIC_BASE_URL with a path, such as the pasted webhook URL', () => {
    const local = { domainName: 'localhost:3000' };
    for (const value of ['https://abc.ngrok.app/interaction', 'https://abc.ngrok.app/chat/']) {
      expect(problemsOf({ ...webhook, PUBLIC_BASE_URL: value }, 'localhost:3000')).toEqual({
        PUBLIC_BASE_URL:
          "must be the tunnel's address alone, such as https://abc.ngrok.app (this service adds /interaction)",
      });
    }
    // A trailing slash is no path.
    expect(
      loadConfig({ ...webhook, PUBLIC_BASE_URL: 'https://abc.ngrok.app/' }, local).handoff,
    ).toMatchObject({
      interactionUrl: 'https://abc.ngrok.app/interaction',
    });
  });

  it('refuses a hand-off mode it does not know', () => {
    expect(problemsOf({ ...valid, HANDOFF_MODE: 'carrier-pigeon' }).HANDOFF_MODE).toMatch(/one of/);
  });
});

describe('opening hours', () => {
  it('reads OPENING_HOURS and AFTER_HOURS into the hours section', () => {
    const { hours } = loadConfig(
      { OPENING_HOURS: 'Europe/Madrid; Mon-Fri 09:00-18:00', AFTER_HOURS: 'message' },
      {},
      ['hours'],
    );
    expect(hours.afterHours).toBe('message');
    expect(hours.schedule?.timeZone).toBe('Europe/Madrid');
  });

  it('names OPENING_HOURS and AFTER_HOURS when malformed, without their values', () => {
    expect(
      problemsOf({ ...valid, OPENING_HOURS: 'Mars/Olympus; Mon 09:00-18:00', AFTER_HOURS: 'nap' }),
    ).toEqual({
      OPENING_HOURS:
        'must start with an IANA time zone such as Europe/Madrid or America/New_York, then ";"',
      AFTER_HOURS: 'must be one of: closed, hide, message',
    });
  });
});

describe('allowed origins', () => {
  it('always includes the service itself, https when deployed', () => {
    expect(readAllowedOrigins({}, { domainName: 'x-1-dev.twil.io' })).toEqual([
      'https://x-1-dev.twil.io',
    ]);
  });

  it('includes localhost and 127.0.0.1 when running locally', () => {
    expect(readAllowedOrigins({}, { domainName: 'localhost:3000' })).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
    ]);
  });

  it('normalises the configured list', () => {
    expect(
      readAllowedOrigins(
        { ALLOWED_ORIGINS: ' https://WWW.Example.com/ , http://localhost:8080,' },
        { domainName: 's.twil.io' },
      ),
    ).toEqual(['https://s.twil.io', 'https://www.example.com', 'http://localhost:8080']);
  });

  it('accepts * alone', () => {
    expect(readAllowedOrigins({ ALLOWED_ORIGINS: '*' })).toBe('*');
    expect(readAllowedOrigins({ ALLOWED_ORIGINS: '*,https://a.example' })).toBeUndefined();
  });

  it('rejects entries that are not origins', () => {
    for (const bad of [
      'example.com',
      'https://example.com/path',
      'ftp://example.com',
      'https://u:p@example.com',
    ]) {
      expect(readAllowedOrigins({ ALLOWED_ORIGINS: bad })).toBeUndefined();
    }
  });

  it('normalizeOrigin keeps ports and lower-cases hosts', () => {
    expect(normalizeOrigin('https://Shop.Example.com:8443')).toBe('https://shop.example.com:8443');
    expect(normalizeOrigin('https://example.com//')).toBeUndefined();
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['PT1M', 60],
    ['PT10M', 600],
    ['P1D', 86_400],
    ['P1DT12H', 129_600],
    ['P1W', 604_800],
    ['PT90S', 90],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseIsoDuration(text)).toBe(seconds);
  });

  it.each(['', 'P', 'PT', '1D', 'P1Y', 'P1M', 'PT1.5M', 'P-1D', 'pt1m'])(
    '%j is refused',
    (text) => {
      expect(parseIsoDuration(text)).toBeUndefined();
    },
  );
});
