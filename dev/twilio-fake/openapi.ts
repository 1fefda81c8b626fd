/**
 * Validates requests (and the mock's own responses) against Twilio's official
 * OpenAPI specs in ../shared/twilio-oai/, in process.
 *
 * Stricter than Stoplight Prism on purpose:
 * - unknown form fields, query parameters and Twilio headers are violations
 *   (a typo such as `Configuration.FlowSID` would otherwise pass silently);
 * - a scalar field sent twice is a violation, arrays are repeated keys;
 * - fields the API documents as "JSON in a string" (Attributes, Participant,
 *   Channel, Routing, PreEngagementData, a Studio flow's Definition, Sync's
 *   Data) must hold a JSON object.
 *
 * When the folder is absent (a user's fresh clone), `loadSpecs` returns
 * undefined and callers skip these checks with a visible message; under `CI`
 * it throws instead, so a CI job can never pass without them.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the specs live; override with TWILIO_OAI_DIR. */
export const SPEC_DIR = resolve(
  process.env.TWILIO_OAI_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'twilio-oai'),
);

/** Which spec files describe which API host. */
const SPEC_FILES: Record<string, string[]> = {
  'conversations.twilio.com': ['twilio_conversations_v1.json'],
  'flex-api.twilio.com': ['twilio_flex_v1.json', 'twilio_flex_v2.json'],
  'studio.twilio.com': ['twilio_studio_v2.json'],
  'sync.twilio.com': ['twilio_sync_v1.json'],
  // What `npm run deploy` (twilio-run) calls; contents go to serverless-upload (no spec).
  'serverless.twilio.com': ['twilio_serverless_v1.json'],
  'taskrouter.twilio.com': ['twilio_taskrouter_v1.json'],
};

/** Form fields documented as strings that must contain a JSON object. */
const JSON_OBJECT_FIELDS = new Set([
  'Attributes',
  'Participant',
  'Channel',
  'Routing',
  'PreEngagementData',
  'Definition',
  // Sync: "a JSON string that represents an arbitrary, schema-less object".
  'Data',
]);

/**
 * Fields a client we ship sends although the spec does not list them, which
 * Twilio ignores: twilio-run's deploy (@twilio-labs/serverless-api 5.7) sends
 * `FriendlyName` when it creates an Environment ("this property currently
 * doesn't exist but for the future lets set it", says its source). Exact
 * operation and field, so nothing else slips through.
 */
const IGNORED_BY_TWILIO: Record<string, string[]> = {
  CreateEnvironment: ['FriendlyName'],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  paramNames: string[];
  literalSegments: number;
  operation: Operation;
  components: Schema;
}

export interface RequestToValidate {
  host: string;
  method: string;
  /** Path without host or query, e.g. `/v1/Services/IS.../Conversations`. */
  path: string;
  query: Record<string, string[]>;
  form: Record<string, string[]>;
  headers: Record<string, string | undefined>;
}

export interface ValidationResult {
  /** Set when the request matched an operation of a spec. */
  operationId?: string;
  violations: string[];
}

export class SpecValidator {
  private readonly routes = new Map<string, Route[]>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor(specDir: string) {
    addFormats(this.ajv);
    for (const format of ['int64', 'int32', 'http-method', 'phone-number', 'uri-map']) {
      this.ajv.addFormat(format, true);
    }
    for (const [host, files] of Object.entries(SPEC_FILES)) {
      const routes: Route[] = [];
      for (const file of files) {
        const spec = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as {
          paths: Record<string, Record<string, Operation>>;
          components: Schema;
        };
        for (const [template, item] of Object.entries(spec.paths)) {
          for (const [method, operation] of Object.entries(item)) {
            if (!['get', 'post', 'delete', 'put', 'patch'].includes(method)) continue;
            routes.push(compileRoute(method.toUpperCase(), template, operation, spec.components));
          }
        }
      }
      // Prefer literal segments over parameters when two templates match.
      routes.sort((a, b) => b.literalSegments - a.literalSegments);
      this.routes.set(host, routes);
    }
  }

  /** Finds the operation and lists everything about the request that the spec forbids. */
  validateRequest(request: RequestToValidate): ValidationResult {
    // APIs with no spec in ../shared (e.g. api.twilio.com) cannot be checked here.
    if (!this.covers(request.host)) return { violations: [] };
    const match = this.match(request.host, request.method, request.path);
    if (!match) {
      return {
        violations: [`${request.method} ${request.host}${request.path}: no such operation`],
      };
    }
    const { route, pathParams } = match;
    const op = route.operation;
    const where = `${op.operationId}`;
    const violations: string[] = [];
    const parameters = op.parameters ?? [];

    for (const p of parameters.filter((x) => x.in === 'path')) {
      this.check(route, p.schema, pathParams[p.name], `${where} path ${p.name}`, violations);
    }

    const queryParams = parameters.filter((x) => x.in === 'query');
    for (const name of Object.keys(request.query)) {
      if (!queryParams.some((p) => p.name === name)) {
        violations.push(`${where}: unknown query parameter ${name}`);
      }
    }
    for (const p of queryParams) {
      const values = request.query[p.name];
      if (values === undefined) {
        if (p.required) violations.push(`${where}: missing query parameter ${p.name}`);
        continue;
      }
      const schema = this.deref(route, p.schema);
      const value = coerce(route, schema, values, this, `${where} query ${p.name}`, violations);
      this.check(route, schema, value, `${where} query ${p.name}`, violations);
    }

    const headerParams = parameters.filter((x) => x.in === 'header');
    for (const [name, value] of Object.entries(request.headers)) {
      if (!name.toLowerCase().startsWith('x-twilio-') || value === undefined) continue;
      const p = headerParams.find((h) => h.name.toLowerCase() === name.toLowerCase());
      if (!p) violations.push(`${where}: header ${name} is not accepted by this operation`);
      else this.check(route, p.schema, value, `${where} header ${p.name}`, violations);
    }

    const bodySchema = op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
    if (!bodySchema) {
      if (Object.keys(request.form).length > 0) violations.push(`${where}: takes no form body`);
    } else {
      this.validateForm(route, bodySchema, request.form, where, violations);
    }
    return { operationId: op.operationId, violations };
  }

  /** Whether a spec in ../shared describes this API host. */
  covers(host: string): boolean {
    return this.routes.has(host);
  }

  /** Checks a JSON response of the mock against the operation's response schema. */
  validateResponse(request: RequestToValidate, status: number, body: unknown): string[] {
    const match = this.match(request.host, request.method, request.path);
    const schema =
      match?.route.operation.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!match || !schema) return [];
    const violations: string[] = [];
    this.check(
      match.route,
      schema,
      body,
      `${match.route.operation.operationId} response`,
      violations,
    );
    return violations;
  }

  private validateForm(
    route: Route,
    bodySchema: Schema,
    form: Record<string, string[]>,
    where: string,
    violations: string[],
  ): void {
    const schema = this.deref(route, bodySchema);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = (schema.required ?? []) as string[];
    for (const name of required) {
      if (form[name] === undefined) violations.push(`${where}: missing required field ${name}`);
    }
    for (const [name, values] of Object.entries(form)) {
      const propSchema = properties[name];
      if (!propSchema && IGNORED_BY_TWILIO[where]?.includes(name)) continue;
      if (!propSchema) {
        violations.push(`${where}: unknown field ${name}`);
        continue;
      }
      const prop = this.deref(route, propSchema);
      const value = coerce(route, prop, values, this, `${where} field ${name}`, violations);
      this.check(route, prop, value, `${where} field ${name}`, violations);
      if (JSON_OBJECT_FIELDS.has(name)) {
        for (const text of values) {
          if (!isJsonObject(text))
            violations.push(`${where}: field ${name} must hold a JSON object`);
        }
      }
    }
  }

  private match(
    host: string,
    method: string,
    path: string,
  ): { route: Route; pathParams: Record<string, string> } | undefined {
    for (const route of this.routes.get(host) ?? []) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, pathParams };
    }
    return undefined;
  }

  deref(route: Route, schema: Schema | undefined): Schema {
    let current = schema ?? {};
    while (typeof current.$ref === 'string') {
      const name = current.$ref.replace('#/components/schemas/', '');
      current = ((route.components.schemas as Schema)[name] ?? {}) as Schema;
    }
    return current;
  }

  private check(
    route: Route,
    schema: Schema | undefined,
    value: unknown,
    label: string,
    violations: string[],
  ): void {
    if (!schema) return;
    const resolved = this.deref(route, schema);
    let validate = this.compiled.get(resolved);
    if (!validate) {
      validate = this.ajv.compile(
        toJsonSchema({ ...resolved, components: route.components }) as Schema,
      );
      this.compiled.set(resolved, validate);
    }
    if (!validate(value)) {
      for (const e of validate.errors ?? []) {
        violations.push(`${label}${e.instancePath} ${e.message ?? 'is invalid'}`);
      }
    }
  }
}

/**
 * OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a `null` type
 * (or is dropped where no type is given, which already allows null).
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'nullable') out[key] = toJsonSchema(value);
  }
  if (node.nullable === true && typeof node.type === 'string') out.type = [node.type, 'null'];
  return out;
}

function compileRoute(
  method: string,
  template: string,
  operation: Operation,
  components: Schema,
): Route {
  const paramNames: string[] = [];
  const segments = template.split('/').filter(Boolean);
  const pattern = segments
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      if (param?.[1]) {
        paramNames.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    method,
    template,
    regex: new RegExp(`^/${pattern}$`),
    paramNames,
    literalSegments: segments.length - paramNames.length,
    operation,
    components,
  };
}

/** Form values are strings: turn them into what the schema's type says. */
function coerce(
  route: Route,
  schema: Schema,
  values: string[],
  validator: SpecValidator,
  label: string,
  violations: string[],
): unknown {
  if (schema.type === 'array') {
    const items = validator.deref(route, schema.items as Schema | undefined);
    return values.map((v) => coerceScalar(items, v));
  }
  if (values.length > 1)
    violations.push(`${label} is not an array but was sent ${values.length} times`);
  return coerceScalar(schema, values[0] ?? '');
}

function coerceScalar(schema: Schema, value: string): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) {
    return Number(value);
  }
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

let cached: SpecValidator | null | undefined;

/** The validator over ../shared/twilio-oai, or undefined when the specs are absent. */
export function loadSpecs(): SpecValidator | undefined {
  if (cached === undefined) {
    const found = existsSync(join(SPEC_DIR, 'twilio_conversations_v1.json'));
    if (!found && process.env.CI) {
      throw new Error(
        `Twilio OpenAPI specs not found at ${SPEC_DIR}; CI must validate against them.`,
      );
    }
    cached = found ? new SpecValidator(SPEC_DIR) : null;
    if (cached === null) {
      // Straight to stderr: this must be seen even where console is silenced.
      process.stderr.write(
        `\n  ⚠  Twilio OpenAPI specs not found at ${SPEC_DIR}: requests to the mock are NOT ` +
          "validated against Twilio's API spec. Set TWILIO_OAI_DIR to enable these checks.\n\n",
      );
    }
  }
  return cached ?? undefined;
}
