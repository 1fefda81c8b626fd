/**
 * Sync API (`sync.twilio.com/v1`): what this project keeps in shared state.
 * Services (create, fetch, list), Lists (create, fetch), List Items (create)
 * and Documents (create, fetch, update, delete), faithful where the guard relies on it:
 *
 * - a Service is addressed by SID, or by its unique name: the account's
 *   default Sync service answers to `default` (what `Runtime.getSync()` and
 *   Twilio's Function templates use), and a Service's unique name cannot be
 *   set over REST (Twilio's docs: read-only);
 * - Lists and Documents are addressed by SID or unique name; a unique name
 *   taken in the service is refused with 409 and error 54301, an invalid one
 *   (empty, too long, shaped like a SID) with 400 and 54302;
 * - a List Item's `index` counts up from 0 per list and is never reused;
 *   appending to a list that does not exist is 404 with error 54150 (and a
 *   service that does not exist is 404 with 54050, before anything else);
 * - TTLs: `Ttl`/`CollectionTtl` on a List, `Ttl`/`ItemTtl` on an item (the
 *   spec's aliases, the longer name winning), `CollectionTtl` on an item
 *   sets its list's expiry from now, `Ttl` on a Document; 0 means none. A
 *   TTL is fixed: later writes do not move it unless they carry one (Sync's
 *   "Objects TTL" page). Twilio deletes expired objects approximately; this
 *   fake exactly at expiry, on the clock `setSyncClock` injects (default:
 *   `Date.now`, so a test that fakes `Date` moves the fake with it).
 *
 * @example
 *   setSyncClock(mock, () => t);            // expiry follows t
 *   syncService(mock, 'default')?.lists;    // what the guard left behind
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

export interface MockSyncService {
  sid: string;
  /** `default` for the account's default service; null for the others (read-only over REST). */
  uniqueName: string | null;
  friendlyName: string | null;
  lists: MockSyncList[];
  documents: MockSyncDocument[];
}

export interface MockSyncList {
  sid: string;
  uniqueName: string | null;
  /** Milliseconds on the sync clock; null: never expires. */
  expiresAt: number | null;
  /** The index the next item gets: counts up, never reused. */
  nextIndex: number;
  items: MockSyncListItem[];
}

export interface MockSyncListItem {
  index: number;
  data: unknown;
  expiresAt: number | null;
}

export interface MockSyncDocument {
  sid: string;
  uniqueName: string | null;
  data: unknown;
  expiresAt: number | null;
  /** Milliseconds on the sync clock; absent: reported as now. */
  createdAt?: number;
}

/** The account's default Sync service (unique name `default`), present unless a test removes it. */
export const DEFAULT_SYNC_SERVICE_SID = 'IS' + '5'.repeat(32);

interface SyncState {
  services: MockSyncService[];
  clock: () => number;
}

function syncState(mock: TwilioMock): SyncState {
  let state = mock.state.get('sync') as SyncState | undefined;
  if (!state) {
    state = {
      services: [emptyService(DEFAULT_SYNC_SERVICE_SID, 'default', 'Default Service')],
      clock: () => Date.now(),
    };
    mock.state.set('sync', state);
  }
  return state;
}

function emptyService(sid: string, uniqueName: string | null, friendlyName: string | null) {
  return { sid, uniqueName, friendlyName, lists: [], documents: [] };
}

/** Every Sync service of the account (tests may add or remove some). */
export const syncServices = (mock: TwilioMock): MockSyncService[] => syncState(mock).services;

/** Expiry follows this clock (milliseconds) until the next reset. */
export function setSyncClock(mock: TwilioMock, clock: () => number): void {
  syncState(mock).clock = clock;
}

/** A service by SID or unique name (`default`), its expired objects gone. */
export function syncService(mock: TwilioMock, sidOrName: string): MockSyncService | undefined {
  const state = syncState(mock);
  const service = state.services.find((s) => s.sid === sidOrName || s.uniqueName === sidOrName);
  if (service) purgeExpired(service, state.clock());
  return service;
}

const alive = (at: number) => (o: { expiresAt: number | null }) =>
  o.expiresAt === null || o.expiresAt > at;

function purgeExpired(service: MockSyncService, at: number): void {
  service.lists = service.lists.filter(alive(at));
  service.documents = service.documents.filter(alive(at));
  for (const list of service.lists) list.items = list.items.filter(alive(at));
}

const byName = (sidOrName: string) => (o: { sid: string; uniqueName: string | null }) =>
  o.sid === sidOrName || o.uniqueName === sidOrName;

const base = 'https://sync.twilio.com/v1/Services';
const iso = (ms: number | null) =>
  ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function serviceJson(s: MockSyncService) {
  const url = `${base}/${s.sid}`;
  return {
    sid: s.sid,
    unique_name: s.uniqueName,
    account_sid: TEST_ENV.ACCOUNT_SID,
    friendly_name: s.friendlyName,
    date_created: now(),
    date_updated: now(),
    url,
    webhook_url: null,
    webhooks_from_rest_enabled: false,
    reachability_webhooks_enabled: false,
    acl_enabled: false,
    reachability_debouncing_enabled: false,
    reachability_debouncing_window: 5000,
    links: {
      documents: `${url}/Documents`,
      lists: `${url}/Lists`,
      maps: `${url}/Maps`,
      streams: `${url}/Streams`,
    },
  };
}

function common(s: MockSyncService, url: string, expiresAt: number | null) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    service_sid: s.sid,
    url,
    revision: '0',
    date_expires: iso(expiresAt),
    date_created: now(),
    date_updated: now(),
    created_by: 'system',
  };
}

function listJson(s: MockSyncService, l: MockSyncList) {
  const url = `${base}/${s.sid}/Lists/${l.sid}`;
  return {
    sid: l.sid,
    unique_name: l.uniqueName,
    ...common(s, url, l.expiresAt),
    links: { items: `${url}/Items`, permissions: `${url}/Permissions` },
  };
}

function itemJson(s: MockSyncService, l: MockSyncList, i: MockSyncListItem) {
  const url = `${base}/${s.sid}/Lists/${l.sid}/Items/${i.index}`;
  return { index: i.index, list_sid: l.sid, data: i.data, ...common(s, url, i.expiresAt) };
}

function documentJson(s: MockSyncService, d: MockSyncDocument) {
  const url = `${base}/${s.sid}/Documents/${d.sid}`;
  return {
    sid: d.sid,
    unique_name: d.uniqueName,
    data: d.data,
    ...common(s, url, d.expiresAt),
    ...(d.createdAt !== undefined && { date_created: iso(d.createdAt) }),
    links: { permissions: `${url}/Permissions` },
  };
}

/** A TTL field in seconds -> an expiry on the clock; 0 or absent -> none (undefined: absent). */
function expiryOf(input: RouteInput, names: string[], at: number): number | null | undefined {
  const given = names.map((n) => field(input, n)).find((v) => v !== undefined);
  if (given === undefined) return undefined;
  const seconds = Number(given);
  return seconds > 0 ? at + seconds * 1000 : null;
}

/** Twilio's rule for unique names: 1 to 320 characters, not shaped like a SID. */
function invalidUniqueName(name: string | undefined) {
  if (
    name === undefined ||
    (name.length > 0 && name.length <= 320 && !/^[A-Z]{2}[0-9a-fA-F]{32}$/.test(name))
  ) {
    return undefined;
  }
  return twilioError(400, 54302, 'Invalid unique name: 1 to 320 characters, not a SID');
}

const taken = () => twilioError(409, 54301, 'Unique name already exists');
const data = (input: RouteInput): unknown => JSON.parse(field(input, 'Data') ?? '{}');

export function installSyncRoutes(mock: TwilioMock): void {
  const clock = () => syncState(mock).clock();
  const withService = (input: RouteInput, then: (s: MockSyncService) => RouteOutput) => {
    const service = syncService(mock, input.params.serviceSid ?? '');
    return service ? then(service) : twilioError(404, 54050, 'Service Instance not found');
  };

  mock.route('sync.services.create', 'POST', 'sync.twilio.com/v1/Services', (input) => {
    const service = emptyService(sid('IS'), null, field(input, 'FriendlyName') ?? null);
    syncState(mock).services.push(service);
    return { status: 201, body: serviceJson(service) };
  });

  mock.route('sync.services.list', 'GET', 'sync.twilio.com/v1/Services', () => ({
    status: 200,
    body: {
      services: syncState(mock).services.map(serviceJson),
      meta: listMeta(base, 'services'),
    },
  }));

  mock.route('sync.services.fetch', 'GET', 'sync.twilio.com/v1/Services/:serviceSid', (input) =>
    withService(input, (s) => ({ status: 200, body: serviceJson(s) })),
  );

  installListRoutes(mock, withService, clock);
  installDocumentRoutes(mock, withService, clock);
}

type WithService = (input: RouteInput, then: (s: MockSyncService) => RouteOutput) => RouteOutput;

function installListRoutes(mock: TwilioMock, withService: WithService, clock: () => number) {
  const lists = 'sync.twilio.com/v1/Services/:serviceSid/Lists';
  const listNotFound = () => twilioError(404, 54150, 'List not found');

  mock.route('sync.lists.create', 'POST', lists, (input) =>
    withService(input, (s) => {
      const uniqueName = field(input, 'UniqueName');
      const invalid = invalidUniqueName(uniqueName);
      if (invalid) return invalid;
      if (uniqueName !== undefined && s.lists.some(byName(uniqueName))) return taken();
      const expiresAt = expiryOf(input, ['CollectionTtl', 'Ttl'], clock()) ?? null;
      const list: MockSyncList = {
        sid: sid('ES'),
        uniqueName: uniqueName ?? null,
        expiresAt,
        nextIndex: 0,
        items: [],
      };
      s.lists.push(list);
      return { status: 201, body: listJson(s, list) };
    }),
  );

  mock.route('sync.lists.fetch', 'GET', `${lists}/:sid`, (input) =>
    withService(input, (s) => {
      const list = s.lists.find(byName(input.params.sid ?? ''));
      return list ? { status: 200, body: listJson(s, list) } : listNotFound();
    }),
  );

  mock.route('sync.listItems.create', 'POST', `${lists}/:listSid/Items`, (input) =>
    withService(input, (s) => {
      const list = s.lists.find(byName(input.params.listSid ?? ''));
      if (!list) return listNotFound();
      const at = clock();
      const listExpiry = expiryOf(input, ['CollectionTtl'], at);
      if (listExpiry !== undefined) list.expiresAt = listExpiry;
      const item: MockSyncListItem = {
        index: list.nextIndex++,
        data: data(input),
        expiresAt: expiryOf(input, ['ItemTtl', 'Ttl'], at) ?? null,
      };
      list.items.push(item);
      return { status: 201, body: itemJson(s, list, item) };
    }),
  );
}

function installDocumentRoutes(mock: TwilioMock, withService: WithService, clock: () => number) {
  const documents = 'sync.twilio.com/v1/Services/:serviceSid/Documents';

  mock.route('sync.documents.create', 'POST', documents, (input) =>
    withService(input, (s) => {
      const uniqueName = field(input, 'UniqueName');
      const invalid = invalidUniqueName(uniqueName);
      if (invalid) return invalid;
      if (uniqueName !== undefined && s.documents.some(byName(uniqueName))) return taken();
      const document: MockSyncDocument = {
        sid: sid('ET'),
        uniqueName: uniqueName ?? null,
        data: data(input),
        expiresAt: expiryOf(input, ['Ttl'], clock()) ?? null,
        createdAt: clock(),
      };
      s.documents.push(document);
      return { status: 201, body: documentJson(s, document) };
    }),
  );

  mock.route('sync.documents.fetch', 'GET', `${documents}/:sid`, (input) =>
    withService(input, (s) => {
      const document = s.documents.find(byName(input.params.sid ?? ''));
      if (!document) return twilioError(404, 54100, 'Document not found');
      return { status: 200, body: documentJson(s, document) };
    }),
  );

  // By SID or unique name: `Data` replaces the data, `Ttl` (when given) sets a
  // new expiry from now; 404 for a document that is not there.
  mock.route('sync.documents.update', 'POST', `${documents}/:sid`, (input) =>
    withService(input, (s) => {
      const document = s.documents.find(byName(input.params.sid ?? ''));
      if (!document) return twilioError(404, 54100, 'Document not found');
      if (field(input, 'Data') !== undefined) document.data = data(input);
      const expiry = expiryOf(input, ['Ttl'], clock());
      if (expiry !== undefined) document.expiresAt = expiry;
      return { status: 200, body: documentJson(s, document) };
    }),
  );

  // By SID or unique name, like fetch; 204, or 404 for a document that is not there.
  mock.route('sync.documents.delete', 'DELETE', `${documents}/:sid`, (input) =>
    withService(input, (s) => {
      const index = s.documents.findIndex(byName(input.params.sid ?? ''));
      if (index < 0) return twilioError(404, 54100, 'Document not found');
      s.documents.splice(index, 1);
      return { status: 204 };
    }),
  );
}
