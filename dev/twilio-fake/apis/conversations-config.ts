/**
 * Conversations API, account level: the global configuration (which service
 * is the default), services, and address configurations (Chat Addresses, in
 * pages of PageSize as Twilio answers them). Backed by the account state
 * (`account.ts`). The conversations an identity belongs to are served with
 * the conversations (`conversations.ts`).
 */
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { account, type MockAddress } from './account';
import { listMeta, now } from './common';

const base = 'https://conversations.twilio.com/v1';

function serviceJson(s: { sid: string; friendlyName: string }) {
  const url = `${base}/Services/${s.sid}`;
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    sid: s.sid,
    friendly_name: s.friendlyName,
    date_created: now(),
    date_updated: now(),
    url,
    links: { conversations: `${url}/Conversations` },
  };
}

function addressJson(a: MockAddress) {
  return {
    sid: a.sid,
    account_sid: TEST_ENV.ACCOUNT_SID,
    type: a.type,
    address: a.address,
    friendly_name: a.friendlyName,
    auto_creation: a.autoCreation,
    date_created: now(),
    date_updated: now(),
    url: `${base}/Configuration/Addresses/${a.sid}`,
    address_country: null,
  };
}

/** The `auto_creation` object Twilio reports, from the create form. */
function autoCreationOf(input: RouteInput): Record<string, unknown> {
  const type = field(input, 'AutoCreation.Type');
  const out: Record<string, unknown> = {
    enabled: field(input, 'AutoCreation.Enabled') === 'true',
    type: type ?? 'default',
    conversation_service_sid: field(input, 'AutoCreation.ConversationServiceSid') ?? null,
  };
  if (type === 'studio') {
    out.studio_flow_sid = field(input, 'AutoCreation.StudioFlowSid') ?? null;
    out.studio_retry_count = Number(field(input, 'AutoCreation.StudioRetryCount') ?? 3);
  }
  if (type === 'webhook') {
    out.webhook_url = field(input, 'AutoCreation.WebhookUrl') ?? null;
    out.webhook_method = (field(input, 'AutoCreation.WebhookMethod') ?? 'post').toUpperCase();
    out.webhook_filters = input.form['AutoCreation.WebhookFilters'] ?? [];
  }
  return out;
}

export function installConversationsConfigRoutes(mock: TwilioMock): void {
  mock.route(
    'conversationsConfiguration.fetch',
    'GET',
    'conversations.twilio.com/v1/Configuration',
    () => ({
      status: 200,
      body: {
        account_sid: TEST_ENV.ACCOUNT_SID,
        default_chat_service_sid: account(mock).defaultServiceSid,
        default_messaging_service_sid: null,
        default_inactive_timer: null,
        default_closed_timer: null,
        url: `${base}/Configuration`,
        links: { service: `${base}/Services` },
      },
    }),
  );

  mock.route('services.list', 'GET', 'conversations.twilio.com/v1/Services', () => ({
    status: 200,
    body: {
      services: account(mock).services.map(serviceJson),
      meta: listMeta(`${base}/Services`, 'services'),
    },
  }));

  mock.route('services.fetch', 'GET', 'conversations.twilio.com/v1/Services/:sid', (input) => {
    const service = account(mock).services.find((s) => s.sid === input.params.sid);
    if (!service) return twilioError(404, 20404, `Service ${input.params.sid} was not found`);
    return { status: 200, body: serviceJson(service) };
  });

  mock.route(
    'addresses.list',
    'GET',
    'conversations.twilio.com/v1/Configuration/Addresses',
    (input) => {
      const type = input.query.Type?.[0];
      const found = account(mock).addresses.filter((a) => type === undefined || a.type === type);
      // Paged as Twilio pages it: PageSize (at most 50 here) and Page, with a next page URL.
      const size = Number(input.query.PageSize?.[0] ?? 50);
      const page = Number(input.query.Page?.[0] ?? 0);
      const url = `${base}/Configuration/Addresses`;
      const query = (p: number) => `${type ? `Type=${type}&` : ''}PageSize=${size}&Page=${p}`;
      const more = found.length > (page + 1) * size;
      return {
        status: 200,
        body: {
          address_configurations: found.slice(page * size, (page + 1) * size).map(addressJson),
          meta: {
            ...listMeta(url, 'address_configurations'),
            page,
            page_size: size,
            url: `${url}?${query(page)}`,
            next_page_url: more ? `${url}?${query(page + 1)}&PageToken=PA${page + 1}` : null,
          },
        },
      };
    },
  );

  mock.route(
    'addresses.create',
    'POST',
    'conversations.twilio.com/v1/Configuration/Addresses',
    (input) => {
      const state = account(mock);
      const type = field(input, 'Type') ?? '';
      const value = field(input, 'Address') ?? '';
      if (state.addresses.some((a) => a.type === type && a.address === value)) {
        return twilioError(409, 50353, 'An address configuration with this address already exists');
      }
      const address: MockAddress = {
        sid: sid('IG'),
        type,
        address: value,
        friendlyName: field(input, 'FriendlyName') ?? null,
        autoCreation: autoCreationOf(input),
      };
      state.addresses.push(address);
      return { status: 201, body: addressJson(address) };
    },
  );

  mock.route(
    'addresses.fetch',
    'GET',
    'conversations.twilio.com/v1/Configuration/Addresses/:sid',
    (input) => {
      const address = account(mock).addresses.find((a) => a.sid === input.params.sid);
      if (!address) return twilioError(404, 20404, `Address ${input.params.sid} was not found`);
      return { status: 200, body: addressJson(address) };
    },
  );
}
