/**
 * Serverless API (`serverless.twilio.com/v1`): what `npm run deploy`
 * (`twilio-run deploy`) calls. Services, Environments, Variables, Functions
 * and Assets (the resources; their contents go to the upload host, see
 * serverless-upload.ts), Builds (+ Status) and Deployments, faithful where a
 * deploy relies on it:
 *
 * - a Service belongs to the account that created it and is addressed by SID
 *   or unique name; a second Service with a unique name the account already
 *   uses is refused with 409 (as Twilio answers name conflicts in this API;
 *   the code and wording are inferred, not documented); a unique name is at
 *   most 50 characters and forms the domain, so only letters, digits, `-`;
 * - an Environment's unique name and domain suffix are unique per Service:
 *   409 "Environment with this UniqueName or DomainSuffix already exists."
 *   (Twilio's wording); its domain is `<unique name>-<4 digits>[-<suffix>].twil.io`;
 * - a Variable's Key is at most 128 characters and unique per Environment, its
 *   Value at most 450 bytes (Twilio's Variable docs);
 * - a Build names Function and Asset Versions that must exist in the Service;
 *   it starts `building` and is `completed` once its status has been read
 *   `buildPolls` times (Twilio builds take a while; clients poll). Unparsable
 *   Dependencies make it `failed`. Only a completed Build can be deployed;
 *   a Deployment makes it the Environment's `build_sid`.
 *
 * @example
 *   const live = liveDeployment(mock, 'flex-custom-webchat', 'dev');
 *   live?.functions.map((f) => [f.path, f.visibility]);
 */
import { TEST_ENV } from '../env';
import {
  field,
  sid,
  twilioError,
  type RouteInput,
  type RouteOutput,
  type TwilioMock,
} from '../twilio-mock';
import { listMeta, now } from './common';
import { serverlessFileRoutes, type MockServerlessFile } from './serverless-files';

export interface MockServerlessService {
  sid: string;
  accountSid: string;
  uniqueName: string;
  friendlyName: string;
  includeCredentials: boolean;
  uiEditable: boolean;
  domainBase: string;
  created: string;
  environments: MockServerlessEnvironment[];
  functions: MockServerlessFile[];
  assets: MockServerlessFile[];
  builds: MockServerlessBuild[];
}

export interface MockServerlessEnvironment {
  sid: string;
  uniqueName: string;
  domainSuffix: string | null;
  domainName: string;
  buildSid: string | null;
  variables: { sid: string; key: string; value: string; created: string; updated: string }[];
  deployments: { sid: string; buildSid: string; created: string }[];
  created: string;
}

export interface MockServerlessBuild {
  sid: string;
  status: 'building' | 'completed' | 'failed';
  statusReads: number;
  functionVersions: string[];
  assetVersions: string[];
  /** As parsed from the form; null when unparsable (the build then fails). */
  dependencies: { name: string; version: string }[] | null;
  runtime: string;
  created: string;
}

interface ServerlessState {
  services: MockServerlessService[];
  /** Status reads before a Build completes. */
  buildPolls: number;
}

export function serverlessState(mock: TwilioMock): ServerlessState {
  let state = mock.state.get('serverless') as ServerlessState | undefined;
  if (!state) {
    state = { services: [], buildPolls: 1 };
    mock.state.set('serverless', state);
  }
  return state;
}

/** Every Serverless Service, of every account. */
export const serverlessServices = (mock: TwilioMock): MockServerlessService[] =>
  serverlessState(mock).services;

/** What an Environment serves now: its active Build, resolved to the uploaded files. */
export function liveDeployment(mock: TwilioMock, service: string, domainSuffix: string) {
  const svc = serverlessServices(mock).find((s) => s.sid === service || s.uniqueName === service);
  const env = svc?.environments.find((e) => (e.domainSuffix ?? '') === domainSuffix);
  const build = svc?.builds.find((b) => b.sid === env?.buildSid);
  if (!svc || !env || !build) return undefined;
  const versions = (files: MockServerlessFile[], sids: string[]) =>
    files.flatMap((f) => f.versions).filter((v) => sids.includes(v.sid));
  return {
    service: svc,
    environment: env,
    build,
    functions: versions(svc.functions, build.functionVersions),
    assets: versions(svc.assets, build.assetVersions),
    variables: Object.fromEntries(env.variables.map((v) => [v.key, v.value])),
  };
}

/** The account a request authenticates as (Basic auth user: an AC SID, or an API key's account). */
export function accountOf(input: RouteInput): string {
  const basic = /^Basic (.+)$/.exec(input.headers.authorization ?? '')?.[1] ?? '';
  const user = Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '';
  return user.startsWith('AC') ? user : TEST_ENV.ACCOUNT_SID;
}

const BASE = 'https://serverless.twilio.com/v1';

/** The Service named in the path (SID or unique name), if this account has it. */
export function findService(
  mock: TwilioMock,
  input: RouteInput,
  key = 'serviceSid',
): MockServerlessService | undefined {
  const ref = input.params[key] ?? '';
  return serverlessServices(mock).find(
    (s) => s.accountSid === accountOf(input) && (s.sid === ref || s.uniqueName === ref),
  );
}

const missing = (what: string): RouteOutput =>
  twilioError(404, 20404, `The requested resource ${what} was not found`);

function serviceJson(s: MockServerlessService) {
  const url = `${BASE}/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    friendly_name: s.friendlyName,
    unique_name: s.uniqueName,
    include_credentials: s.includeCredentials,
    ui_editable: s.uiEditable,
    domain_base: s.domainBase,
    date_created: s.created,
    date_updated: s.created,
    url,
    links: {
      functions: `${url}/Functions`,
      assets: `${url}/Assets`,
      environments: `${url}/Environments`,
      builds: `${url}/Builds`,
    },
  };
}

function environmentJson(s: MockServerlessService, e: MockServerlessEnvironment) {
  const url = `${BASE}/Services/${s.sid}/Environments/${e.sid}`;
  return {
    sid: e.sid,
    account_sid: s.accountSid,
    service_sid: s.sid,
    build_sid: e.buildSid,
    unique_name: e.uniqueName,
    domain_suffix: e.domainSuffix,
    domain_name: e.domainName,
    date_created: e.created,
    date_updated: e.created,
    url,
    links: {
      variables: `${url}/Variables`,
      deployments: `${url}/Deployments`,
      logs: `${url}/Logs`,
    },
  };
}

function buildJson(s: MockServerlessService, b: MockServerlessBuild) {
  const version = (files: MockServerlessFile[], versionSid: string) => {
    const file = files.find((f) => f.versions.some((v) => v.sid === versionSid));
    const v = file?.versions.find((x) => x.sid === versionSid);
    return { sid: versionSid, path: v?.path, visibility: v?.visibility, date_created: v?.created };
  };
  return {
    sid: b.sid,
    account_sid: s.accountSid,
    service_sid: s.sid,
    status: b.status,
    asset_versions: b.assetVersions.map((v) => version(s.assets, v)),
    function_versions: b.functionVersions.map((v) => version(s.functions, v)),
    dependencies: b.dependencies ?? [],
    runtime: b.runtime,
    date_created: b.created,
    date_updated: b.created,
    url: `${BASE}/Services/${s.sid}/Builds/${b.sid}`,
    links: { build_status: `${BASE}/Services/${s.sid}/Builds/${b.sid}/Status` },
  };
}

function variableJson(
  s: MockServerlessService,
  e: MockServerlessEnvironment,
  v: MockServerlessEnvironment['variables'][number],
) {
  return {
    sid: v.sid,
    account_sid: s.accountSid,
    service_sid: s.sid,
    environment_sid: e.sid,
    key: v.key,
    value: v.value,
    date_created: v.created,
    date_updated: v.updated,
    url: `${BASE}/Services/${s.sid}/Environments/${e.sid}/Variables/${v.sid}`,
  };
}

function list(url: string, key: string, items: unknown[]): RouteOutput {
  return { status: 200, body: { [key]: items, meta: listMeta(url, key) } };
}

function createService(input: RouteInput, mock: TwilioMock): RouteOutput {
  const uniqueName = field(input, 'UniqueName') ?? '';
  const accountSid = accountOf(input);
  if (!/^[A-Za-z0-9-]{1,50}$/.test(uniqueName)) {
    return twilioError(400, 20001, 'UniqueName must be 1-50 letters, digits or dashes');
  }
  const services = serverlessServices(mock);
  if (services.some((s) => s.accountSid === accountSid && s.uniqueName === uniqueName)) {
    return twilioError(409, 20409, 'Service with this UniqueName already exists.');
  }
  const service: MockServerlessService = {
    sid: sid('ZS'),
    accountSid,
    uniqueName,
    friendlyName: field(input, 'FriendlyName') ?? uniqueName,
    includeCredentials: field(input, 'IncludeCredentials') !== 'false',
    uiEditable: field(input, 'UiEditable') === 'true',
    domainBase: `${uniqueName}-${String(1000 + services.length).slice(-4)}`,
    created: now(),
    environments: [],
    functions: [],
    assets: [],
    builds: [],
  };
  services.push(service);
  return { status: 201, body: serviceJson(service) };
}

function createEnvironment(s: MockServerlessService, input: RouteInput): RouteOutput {
  const uniqueName = field(input, 'UniqueName') ?? '';
  const suffix = field(input, 'DomainSuffix') ?? null;
  if (uniqueName.length > 100 || (suffix !== null && !/^[A-Za-z0-9-]{1,16}$/.test(suffix))) {
    return twilioError(400, 20001, 'UniqueName or DomainSuffix is invalid');
  }
  if (
    s.environments.some(
      (e) => e.uniqueName === uniqueName || (suffix !== null && e.domainSuffix === suffix),
    )
  ) {
    return twilioError(
      409,
      20409,
      'Environment with this UniqueName or DomainSuffix already exists.',
    );
  }
  const environment: MockServerlessEnvironment = {
    sid: sid('ZE'),
    uniqueName,
    domainSuffix: suffix,
    domainName: `${s.domainBase}${suffix ? `-${suffix}` : ''}.twil.io`,
    buildSid: null,
    variables: [],
    deployments: [],
    created: now(),
  };
  s.environments.push(environment);
  return { status: 201, body: environmentJson(s, environment) };
}

/**
 * twilio-run sends Dependencies as a JSON array inside literal quotes
 * (`"[{"name":…}]"`), which Twilio accepts; plain JSON is accepted too.
 */
function parseDependencies(text: string | undefined): MockServerlessBuild['dependencies'] {
  if (text === undefined) return [];
  const unquoted = /^"\[.*\]"$/s.test(text) ? text.slice(1, -1) : text;
  try {
    const parsed = JSON.parse(unquoted) as unknown;
    if (!Array.isArray(parsed)) return null;
    const ok = parsed.every(
      (d: { name?: unknown; version?: unknown }) =>
        typeof d.name === 'string' && typeof d.version === 'string',
    );
    return ok ? (parsed as { name: string; version: string }[]) : null;
  } catch {
    return null;
  }
}

function createBuild(s: MockServerlessService, input: RouteInput): RouteOutput {
  const functionVersions = input.form.FunctionVersions ?? [];
  const assetVersions = input.form.AssetVersions ?? [];
  const known = (files: MockServerlessFile[]) =>
    new Set(files.flatMap((f) => f.versions.map((v) => v.sid)));
  const fns = known(s.functions);
  const assets = known(s.assets);
  const unknown = [
    ...functionVersions.filter((v) => !fns.has(v)),
    ...assetVersions.filter((v) => !assets.has(v)),
  ];
  if (unknown.length > 0) return missing(`${unknown.join(', ')} in Service ${s.sid}`);
  const build: MockServerlessBuild = {
    sid: sid('ZB'),
    status: 'building',
    statusReads: 0,
    functionVersions,
    assetVersions,
    dependencies: parseDependencies(field(input, 'Dependencies')),
    runtime: field(input, 'Runtime') ?? 'node22',
    created: now(),
  };
  s.builds.push(build);
  return { status: 201, body: buildJson(s, build) };
}

/** Reading a Build's status moves it on, as time would on Twilio. */
function readStatus(mock: TwilioMock, b: MockServerlessBuild): void {
  if (b.status !== 'building') return;
  b.statusReads += 1;
  if (b.statusReads > serverlessState(mock).buildPolls) {
    b.status = b.dependencies === null ? 'failed' : 'completed';
  }
}

function deploy(s: MockServerlessService, e: MockServerlessEnvironment, input: RouteInput) {
  const buildSid = field(input, 'BuildSid');
  const build = s.builds.find((b) => b.sid === buildSid);
  if (!build) return missing(`Build ${buildSid ?? '(none)'}`);
  if (build.status !== 'completed') {
    return twilioError(409, 20409, `Build ${build.sid} is ${build.status}, not completed`);
  }
  const deployment = { sid: sid('ZD'), buildSid: build.sid, created: now() };
  e.deployments.push(deployment);
  e.buildSid = build.sid;
  return {
    status: 201,
    body: {
      sid: deployment.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      environment_sid: e.sid,
      build_sid: build.sid,
      date_created: deployment.created,
      date_updated: deployment.created,
      url: `${BASE}/Services/${s.sid}/Environments/${e.sid}/Deployments/${deployment.sid}`,
    },
  };
}

function setVariable(
  s: MockServerlessService,
  e: MockServerlessEnvironment,
  input: RouteInput,
  existing?: MockServerlessEnvironment['variables'][number],
): RouteOutput {
  const key = field(input, 'Key') ?? existing?.key ?? '';
  const value = field(input, 'Value') ?? existing?.value ?? '';
  if (key.length === 0 || key.length > 128) {
    return twilioError(400, 20001, 'Key must be 1-128 characters');
  }
  if (Buffer.byteLength(value) > 450) {
    return twilioError(400, 20001, `Value of ${key} is over 450 bytes`);
  }
  if (e.variables.some((v) => v.key === key && v !== existing)) {
    return twilioError(409, 20409, 'Variable with this Key already exists.');
  }
  const at = now();
  const variable = existing ?? { sid: sid('ZV'), key, value, created: at, updated: at };
  Object.assign(variable, { key, value, updated: at });
  if (!existing) e.variables.push(variable);
  return { status: existing ? 200 : 201, body: variableJson(s, e, variable) };
}

export function installServerlessRoutes(mock: TwilioMock): void {
  const host = 'serverless.twilio.com/v1';
  const svc = `${host}/Services/:serviceSid`;
  const env = `${svc}/Environments/:environmentSid`;
  /** Runs `then` with the Service and Environment of the path, or answers 404. */
  const inEnv =
    (
      then: (s: MockServerlessService, e: MockServerlessEnvironment, i: RouteInput) => RouteOutput,
    ) =>
    (input: RouteInput): RouteOutput => {
      const s = findService(mock, input);
      const e = s?.environments.find((x) => x.sid === input.params.environmentSid);
      return s && e ? then(s, e, input) : missing(`Environment ${input.params.environmentSid}`);
    };
  const inService =
    (then: (s: MockServerlessService, i: RouteInput) => RouteOutput) =>
    (input: RouteInput): RouteOutput => {
      const s = findService(mock, input);
      return s ? then(s, input) : missing(`Service ${input.params.serviceSid}`);
    };

  mock.route('serverless.services.create', 'POST', `${host}/Services`, (i) =>
    createService(i, mock),
  );
  mock.route('serverless.services.list', 'GET', `${host}/Services`, (i) => {
    const mine = serverlessServices(mock).filter((s) => s.accountSid === accountOf(i));
    return list(`${BASE}/Services`, 'services', mine.map(serviceJson));
  });
  mock.route(
    'serverless.services.fetch',
    'GET',
    svc,
    inService((s) => ({ status: 200, body: serviceJson(s) })),
  );

  mock.route(
    'serverless.environments.create',
    'POST',
    `${svc}/Environments`,
    inService(createEnvironment),
  );
  mock.route(
    'serverless.environments.list',
    'GET',
    `${svc}/Environments`,
    inService((s) =>
      list(
        `${BASE}/Services/${s.sid}/Environments`,
        'environments',
        s.environments.map((e) => environmentJson(s, e)),
      ),
    ),
  );
  mock.route(
    'serverless.environments.fetch',
    'GET',
    env,
    inEnv((s, e) => ({ status: 200, body: environmentJson(s, e) })),
  );

  mock.route(
    'serverless.variables.list',
    'GET',
    `${env}/Variables`,
    inEnv((s, e) =>
      list(
        `${BASE}/Services/${s.sid}/Environments/${e.sid}/Variables`,
        'variables',
        e.variables.map((v) => variableJson(s, e, v)),
      ),
    ),
  );
  mock.route(
    'serverless.variables.create',
    'POST',
    `${env}/Variables`,
    inEnv((s, e, i) => setVariable(s, e, i)),
  );
  mock.route(
    'serverless.variables.update',
    'POST',
    `${env}/Variables/:sid`,
    inEnv((s, e, i) => {
      const v = e.variables.find((x) => x.sid === i.params.sid);
      return v ? setVariable(s, e, i, v) : missing(`Variable ${i.params.sid}`);
    }),
  );
  mock.route(
    'serverless.variables.delete',
    'DELETE',
    `${env}/Variables/:sid`,
    inEnv((_s, e, i) => {
      const index = e.variables.findIndex((x) => x.sid === i.params.sid);
      if (index < 0) return missing(`Variable ${i.params.sid}`);
      e.variables.splice(index, 1);
      return { status: 204 };
    }),
  );

  mock.route('serverless.builds.create', 'POST', `${svc}/Builds`, inService(createBuild));
  mock.route(
    'serverless.builds.list',
    'GET',
    `${svc}/Builds`,
    inService((s) =>
      list(
        `${BASE}/Services/${s.sid}/Builds`,
        'builds',
        s.builds.map((b) => buildJson(s, b)),
      ),
    ),
  );
  mock.route(
    'serverless.builds.fetch',
    'GET',
    `${svc}/Builds/:sid`,
    inService((s, i) => {
      const b = s.builds.find((x) => x.sid === i.params.sid);
      if (!b) return missing(`Build ${i.params.sid}`);
      readStatus(mock, b);
      return { status: 200, body: buildJson(s, b) };
    }),
  );
  mock.route(
    'serverless.builds.status',
    'GET',
    `${svc}/Builds/:sid/Status`,
    inService((s, i) => {
      const b = s.builds.find((x) => x.sid === i.params.sid);
      if (!b) return missing(`Build ${i.params.sid}`);
      readStatus(mock, b);
      const url = `${BASE}/Services/${s.sid}/Builds/${b.sid}/Status`;
      return {
        status: 200,
        body: { sid: b.sid, account_sid: s.accountSid, service_sid: s.sid, status: b.status, url },
      };
    }),
  );

  mock.route('serverless.deployments.create', 'POST', `${env}/Deployments`, inEnv(deploy));
  mock.route(
    'serverless.deployments.list',
    'GET',
    `${env}/Deployments`,
    inEnv((s, e) =>
      list(
        `${BASE}/Services/${s.sid}/Environments/${e.sid}/Deployments`,
        'deployments',
        e.deployments.map((d) => ({
          sid: d.sid,
          account_sid: s.accountSid,
          service_sid: s.sid,
          environment_sid: e.sid,
          build_sid: d.buildSid,
          date_created: d.created,
          date_updated: d.created,
          url: `${BASE}/Services/${s.sid}/Environments/${e.sid}/Deployments/${d.sid}`,
        })),
      ),
    ),
  );

  serverlessFileRoutes(mock, (input) => findService(mock, input));
}
