/**
 * Conversations API, per service: the service's configuration (which roles
 * users and participants get by default) and its roles with their
 * permissions, as doctor reads them (scripts/setup/roles.ts):
 *
 *   GET  /v1/Services/{IS}/Configuration      default_conversation_creator_role_sid,
 *                                             default_conversation_role_sid,
 *                                             default_chat_service_role_sid
 *   GET  /v1/Services/{IS}/Roles/{RL}         type, permissions
 *
 * Every service starts with the roles Flex creates (Twilio's "Flex
 * Conversations Roles" page): the conversation role `guest` (the default
 * for participants: sendMessage, sendMediaMessage, leaveConversation),
 * `agent`, `admin`, `supervisor`, and the service roles `user` (the default
 * for users), `admin`, `supervisor`. Tests change them through
 * `serviceRoles(mock, serviceSid)`. An unknown service or role is 20404.
 *
 * @example
 *   serviceRoles(mock, TEST_ENV.CONVERSATIONS_SERVICE_SID).byName('guest').permissions.push('editConversationAttributes');
 */
import { TEST_ENV } from '../env';
import { twilioError, type RouteInput, type RouteOutput, type TwilioMock } from '../twilio-mock';
import { account } from './account';
import { now } from './common';

const base = 'https://conversations.twilio.com/v1/Services';

export interface MockRole {
  sid: string;
  friendlyName: string;
  type: 'conversation' | 'service';
  permissions: string[];
}

export interface MockServiceRoles {
  roles: MockRole[];
  /** The configuration's default role SIDs (null: Twilio reports none). */
  defaultConversationRoleSid: string | null;
  defaultConversationCreatorRoleSid: string | null;
  defaultChatServiceRoleSid: string | null;
  byName(name: string): MockRole;
}

/** Fixed role SIDs of the default service, so tests can name them. */
export const ROLE_SIDS = {
  guest: 'RL' + '1'.repeat(32),
  agent: 'RL' + '2'.repeat(32),
  conversationAdmin: 'RL' + '3'.repeat(32),
  conversationSupervisor: 'RL' + '4'.repeat(32),
  user: 'RL' + '5'.repeat(32),
  serviceAdmin: 'RL' + '6'.repeat(32),
  serviceSupervisor: 'RL' + '7'.repeat(32),
} as const;

const OWN_MESSAGES = ['editOwnMessage', 'editOwnMessageAttributes', 'deleteOwnMessage'];
const CHAT = ['sendMessage', 'sendMediaMessage', 'leaveConversation'];

function flexRoles(): MockRole[] {
  const role = (
    sid: string,
    friendlyName: string,
    type: MockRole['type'],
    permissions: string[],
  ) => ({
    sid,
    friendlyName,
    type,
    permissions,
  });
  const anyMessage = ['editAnyMessage', 'editAnyMessageAttributes', 'deleteAnyMessage'];
  return [
    role(ROLE_SIDS.guest, 'guest', 'conversation', [...CHAT]),
    role(ROLE_SIDS.agent, 'agent', 'conversation', [
      'editConversationAttributes',
      ...CHAT,
      ...OWN_MESSAGES,
    ]),
    role(ROLE_SIDS.conversationAdmin, 'admin', 'conversation', [
      'editConversationAttributes',
      ...CHAT,
      ...OWN_MESSAGES,
      ...anyMessage,
    ]),
    role(ROLE_SIDS.conversationSupervisor, 'supervisor', 'conversation', [
      'editConversationAttributes',
      ...CHAT,
      ...OWN_MESSAGES,
      ...anyMessage,
    ]),
    role(ROLE_SIDS.user, 'user', 'service', [
      'createConversation',
      'joinConversation',
      'editOwnUserInfo',
    ]),
    role(ROLE_SIDS.serviceAdmin, 'admin', 'service', [
      'joinConversation',
      'deleteConversation',
      'addParticipant',
      'removeParticipant',
      'editConversationAttributes',
      'editOwnUserInfo',
      'editAnyUserInfo',
    ]),
    role(ROLE_SIDS.serviceSupervisor, 'supervisor', 'service', [
      'joinConversation',
      'addParticipant',
      'removeParticipant',
      'editOwnUserInfo',
    ]),
  ];
}

/** A service's roles and default-role configuration (created on first use, Flex's set). */
export function serviceRoles(mock: TwilioMock, serviceSid: string): MockServiceRoles {
  const key = `roles:${serviceSid}`;
  let state = mock.state.get(key) as MockServiceRoles | undefined;
  if (!state) {
    const roles = flexRoles();
    state = {
      roles,
      defaultConversationRoleSid: ROLE_SIDS.guest,
      defaultConversationCreatorRoleSid: ROLE_SIDS.guest,
      defaultChatServiceRoleSid: ROLE_SIDS.user,
      byName(name) {
        const found = roles.find((r) => r.friendlyName === name);
        if (!found) throw new Error(`no role named ${name}`);
        return found;
      },
    };
    mock.state.set(key, state);
  }
  return state;
}

function roleJson(serviceSid: string, r: MockRole) {
  return {
    sid: r.sid,
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: serviceSid,
    friendly_name: r.friendlyName,
    type: r.type,
    permissions: r.permissions,
    date_created: now(),
    date_updated: now(),
    url: `${base}/${serviceSid}/Roles/${r.sid}`,
  };
}

const serviceExists = (mock: TwilioMock, sid: string | undefined) =>
  account(mock).services.some((s) => s.sid === sid);

function findRole(
  mock: TwilioMock,
  input: RouteInput,
): { error: RouteOutput } | { serviceSid: string; role: MockRole } {
  const { serviceSid, sid } = input.params;
  if (!serviceSid || !serviceExists(mock, serviceSid)) {
    return { error: twilioError(404, 20404, `Service ${serviceSid} was not found`) };
  }
  const role = serviceRoles(mock, serviceSid).roles.find((r) => r.sid === sid);
  if (!role) return { error: twilioError(404, 20404, `Role ${sid} was not found`) };
  return { serviceSid, role };
}

export function installServiceRoleRoutes(mock: TwilioMock): void {
  mock.route(
    'serviceConfiguration.fetch',
    'GET',
    'conversations.twilio.com/v1/Services/:serviceSid/Configuration',
    (input) => {
      const { serviceSid } = input.params;
      if (!serviceSid || !serviceExists(mock, serviceSid)) {
        return twilioError(404, 20404, `Service ${serviceSid} was not found`);
      }
      const roles = serviceRoles(mock, serviceSid);
      const url = `${base}/${serviceSid}/Configuration`;
      return {
        status: 200,
        body: {
          chat_service_sid: serviceSid,
          default_conversation_creator_role_sid: roles.defaultConversationCreatorRoleSid,
          default_conversation_role_sid: roles.defaultConversationRoleSid,
          default_chat_service_role_sid: roles.defaultChatServiceRoleSid,
          url,
          links: { notifications: `${url}/Notifications`, webhooks: `${url}/Webhooks` },
          reachability_enabled: false,
        },
      };
    },
  );

  mock.route(
    'serviceRoles.fetch',
    'GET',
    'conversations.twilio.com/v1/Services/:serviceSid/Roles/:sid',
    (input) => {
      const found = findRole(mock, input);
      if ('error' in found) return found.error;
      return { status: 200, body: roleJson(found.serviceSid, found.role) };
    },
  );
}
