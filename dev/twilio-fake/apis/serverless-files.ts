/**
 * Serverless Functions and Assets: the resources on `serverless.twilio.com`
 * (create, list, fetch; Versions list, fetch, and a Function Version's
 * Content), and their Versions, created on the upload host
 * `serverless-upload.twilio.com` as multipart/form-data, which no spec in
 * ../shared describes. Each upload is checked here the way the spec checks
 * the rest: exactly the fields `Path`, `Visibility` (the spec's
 * `function_version_enum_visibility` / `asset_version_enum_visibility`) and
 * `Content` (a file part); a Path of at most 255 characters, given a leading
 * `/` when it lacks one (Twilio's docs). The answer is checked against the
 * spec's Function/Asset Version schema. What was uploaded (file name, content
 * type, bytes, path, visibility) is kept for tests to read.
 */
import { loadSpecs } from '../openapi';
import {
  field,
  sid,
  twilioError,
  type RouteInput,
  type RouteOutput,
  type TwilioMock,
} from '../twilio-mock';
import { listMeta, now } from './common';
import type { MockServerlessService } from './serverless';

export interface MockServerlessVersion {
  sid: string;
  path: string;
  visibility: 'public' | 'protected' | 'private';
  /** The multipart file part's name and type, as the client sent them. */
  filename: string;
  contentType: string;
  content: Buffer;
  created: string;
}

export interface MockServerlessFile {
  sid: string;
  friendlyName: string;
  created: string;
  versions: MockServerlessVersion[];
}

type Kind = 'Functions' | 'Assets';

const BASE = 'https://serverless.twilio.com/v1';
const VISIBILITIES = ['public', 'private', 'protected'] as const;

function fileJson(s: MockServerlessService, kind: Kind, f: MockServerlessFile) {
  const url = `${BASE}/Services/${s.sid}/${kind}/${f.sid}`;
  return {
    sid: f.sid,
    account_sid: s.accountSid,
    service_sid: s.sid,
    friendly_name: f.friendlyName,
    date_created: f.created,
    date_updated: f.created,
    url,
    links: { [kind === 'Functions' ? 'function_versions' : 'asset_versions']: `${url}/Versions` },
  };
}

function versionJson(
  s: MockServerlessService,
  kind: Kind,
  f: MockServerlessFile,
  v: MockServerlessVersion,
) {
  const url = `${BASE}/Services/${s.sid}/${kind}/${f.sid}/Versions/${v.sid}`;
  return {
    sid: v.sid,
    account_sid: s.accountSid,
    service_sid: s.sid,
    [kind === 'Functions' ? 'function_sid' : 'asset_sid']: f.sid,
    path: v.path,
    visibility: v.visibility,
    date_created: v.created,
    url,
    ...(kind === 'Functions' && { links: { function_version_content: `${url}/Content` } }),
  };
}

const filesOf = (s: MockServerlessService, kind: Kind) =>
  kind === 'Functions' ? s.functions : s.assets;

/** Parses and checks an upload's multipart body; a string is what is wrong with it. */
async function readUpload(
  input: RouteInput,
): Promise<Omit<MockServerlessVersion, 'sid' | 'created'> | string> {
  const type = input.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;/i.test(type)) return `expected multipart/form-data, got "${type}"`;
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(input.body ?? []), {
      headers: { 'content-type': type },
    }).formData();
  } catch (error) {
    return `unreadable multipart body (${String(error)})`;
  }
  const names = [...form.keys()].sort();
  if (names.join() !== 'Content,Path,Visibility') {
    return `fields must be exactly Content, Path, Visibility; got ${names.join(', ')}`;
  }
  const content = form.get('Content');
  const path = form.get('Path');
  const visibility = form.get('Visibility');
  if (!(content instanceof File)) return 'Content must be a file part';
  if (typeof path !== 'string' || path.length === 0 || path.length > 255) {
    return 'Path must be 1-255 characters';
  }
  if (!VISIBILITIES.includes(visibility as (typeof VISIBILITIES)[number])) {
    return `Visibility must be one of ${VISIBILITIES.join(', ')}`;
  }
  return {
    path: path.startsWith('/') ? path : `/${path}`,
    visibility: visibility as MockServerlessVersion['visibility'],
    filename: content.name,
    contentType: content.type,
    content: Buffer.from(await content.arrayBuffer()),
  };
}

/**
 * Installs the routes; `findService` resolves the path's Service (SID or
 * unique name) for the authenticated account (serverless.ts owns Services).
 */
export function serverlessFileRoutes(
  mock: TwilioMock,
  findService: (input: RouteInput) => MockServerlessService | undefined,
): void {
  const missing = (what: string) =>
    twilioError(404, 20404, `The requested resource ${what} was not found`);
  const inService =
    (then: (s: MockServerlessService, i: RouteInput) => RouteOutput) =>
    (input: RouteInput): RouteOutput => {
      const s = findService(input);
      return s ? then(s, input) : missing(`Service ${input.params.serviceSid}`);
    };

  for (const kind of ['Functions', 'Assets'] as const) {
    const name = kind.toLowerCase();
    const base = `serverless.twilio.com/v1/Services/:serviceSid/${kind}`;
    const fileIn = (s: MockServerlessService, i: RouteInput) =>
      filesOf(s, kind).find((f) => f.sid === (i.params.fileSid ?? i.params.sid));

    mock.route(
      `serverless.${name}.create`,
      'POST',
      base,
      inService((s, i) => {
        const friendlyName = field(i, 'FriendlyName') ?? '';
        if (friendlyName.length === 0 || friendlyName.length > 255) {
          return twilioError(400, 20001, 'FriendlyName must be 1-255 characters');
        }
        const file = { sid: sid('ZH'), friendlyName, created: now(), versions: [] };
        filesOf(s, kind).push(file);
        return { status: 201, body: fileJson(s, kind, file) };
      }),
    );
    mock.route(
      `serverless.${name}.list`,
      'GET',
      base,
      inService((s) => ({
        status: 200,
        body: {
          [name]: filesOf(s, kind).map((f) => fileJson(s, kind, f)),
          meta: listMeta(`${BASE}/Services/${s.sid}/${kind}`, name),
        },
      })),
    );
    mock.route(
      `serverless.${name}.fetch`,
      'GET',
      `${base}/:sid`,
      inService((s, i) => {
        const f = fileIn(s, i);
        return f ? { status: 200, body: fileJson(s, kind, f) } : missing(`${kind} ${i.params.sid}`);
      }),
    );
    mock.route(
      `serverless.${name}.versions.list`,
      'GET',
      `${base}/:fileSid/Versions`,
      inService((s, i) => {
        const f = fileIn(s, i);
        if (!f) return missing(`${kind} ${i.params.fileSid}`);
        const key = kind === 'Functions' ? 'function_versions' : 'asset_versions';
        const url = `${BASE}/Services/${s.sid}/${kind}/${f.sid}/Versions`;
        return {
          status: 200,
          body: {
            [key]: f.versions.map((v) => versionJson(s, kind, f, v)),
            meta: listMeta(url, key),
          },
        };
      }),
    );
    mock.route(
      `serverless.${name}.versions.fetch`,
      'GET',
      `${base}/:fileSid/Versions/:sid`,
      inService((s, i) => {
        const f = fileIn(s, i);
        const v = f?.versions.find((x) => x.sid === i.params.sid);
        return f && v
          ? { status: 200, body: versionJson(s, kind, f, v) }
          : missing(`Version ${i.params.sid}`);
      }),
    );

    mock.route(
      `serverless.${name}.versions.upload`,
      'POST',
      `serverless-upload.twilio.com/v1/Services/:serviceSid/${kind}/:fileSid/Versions`,
      async (input) => {
        const s = findService(input);
        const f = s && fileIn(s, input);
        if (!s || !f) return missing(`${kind} ${input.params.fileSid}`);
        const upload = await readUpload(input);
        if (typeof upload === 'string') {
          mock.violations.push(`serverless-upload ${kind} Version: ${upload}`);
          return twilioError(400, 20001, upload);
        }
        const version: MockServerlessVersion = { sid: sid('ZN'), created: now(), ...upload };
        f.versions.push(version);
        const body = versionJson(s, kind, f, version);
        // The upload host has no spec of its own: check the answer against the fetch's.
        const problems = loadSpecs()?.validateResponse(
          {
            host: 'serverless.twilio.com',
            method: 'GET',
            path: new URL(body.url).pathname,
            query: {},
            form: {},
            headers: {},
          },
          200,
          body,
        );
        mock.violations.push(...(problems ?? []).map((p) => `mock bug: ${p}`));
        return { status: 201, body };
      },
    );
  }

  mock.route(
    'serverless.functions.versions.content',
    'GET',
    'serverless.twilio.com/v1/Services/:serviceSid/Functions/:fileSid/Versions/:sid/Content',
    inService((s, i) => {
      const f = s.functions.find((x) => x.sid === i.params.fileSid);
      const v = f?.versions.find((x) => x.sid === i.params.sid);
      if (!f || !v) return missing(`Version ${i.params.sid}`);
      const url = `${BASE}/Services/${s.sid}/Functions/${f.sid}/Versions/${v.sid}/Content`;
      return {
        status: 200,
        body: {
          sid: v.sid,
          account_sid: s.accountSid,
          service_sid: s.sid,
          function_sid: f.sid,
          content: v.content.toString('utf8'),
          url,
        },
      };
    }),
  );
}
