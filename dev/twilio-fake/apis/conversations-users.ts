/**
 * Conversations Users (service-scoped): who a participant is. In Flex each
 * agent is a User of the Flex Chat Service, its `friendly_name` the worker's
 * full name; the widget's SDK reads it to name agents, and /transcript reads
 * it to name them the same way. Fetched by SID (US…) or by identity, as
 * Twilio allows (`GET /v1/Services/{IS}/Users/{Sid}`); an unknown one is a
 * 404 (20404). Tests add users with `addConversationUser`.
 *
 * @example
 *   addConversationUser(mock, { identity: 'alex@acme.example', friendlyName: 'Alex Smith' });
 */
import { TEST_ENV } from '../env';
import { sid, twilioError, type TwilioMock } from '../twilio-mock';
import { now } from './common';

export interface MockConversationUser {
  sid: string;
  serviceSid: string;
  identity: string;
  friendlyName: string | null;
}

/** All users the mock holds. */
export function conversationUsers(mock: TwilioMock): MockConversationUser[] {
  let users = mock.state.get('conversationUsers') as MockConversationUser[] | undefined;
  if (!users) {
    users = [];
    mock.state.set('conversationUsers', users);
  }
  return users;
}

/** Adds a user (in the test service unless `serviceSid` says otherwise). */
export function addConversationUser(
  mock: TwilioMock,
  user: { identity: string; friendlyName: string | null; serviceSid?: string },
): MockConversationUser {
  const added = {
    sid: sid('US'),
    serviceSid: user.serviceSid ?? TEST_ENV.CONVERSATIONS_SERVICE_SID,
    identity: user.identity,
    friendlyName: user.friendlyName,
  };
  conversationUsers(mock).push(added);
  return added;
}

const base = 'https://conversations.twilio.com/v1';

function userJson(u: MockConversationUser) {
  const url = `${base}/Services/${u.serviceSid}/Users/${u.sid}`;
  return {
    sid: u.sid,
    account_sid: TEST_ENV.ACCOUNT_SID,
    chat_service_sid: u.serviceSid,
    role_sid: null,
    identity: u.identity,
    friendly_name: u.friendlyName,
    attributes: '{}',
    is_online: null,
    is_notifiable: null,
    date_created: now(),
    date_updated: now(),
    url,
    links: { user_conversations: `${url}/Conversations` },
  };
}

export function installConversationUserRoutes(mock: TwilioMock): void {
  const svc = 'conversations.twilio.com/v1/Services/:serviceSid';
  mock.route('users.fetch', 'GET', `${svc}/Users/:sid`, (input) => {
    const key = input.params.sid ?? '';
    const user = conversationUsers(mock).find(
      (u) => u.serviceSid === input.params.serviceSid && (u.sid === key || u.identity === key),
    );
    return user
      ? { status: 200, body: userJson(user) }
      : twilioError(404, 20404, `The requested resource /Users/${key} was not found`);
  });
}
