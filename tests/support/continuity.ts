/**
 * A signed-in customer's start at the src level, as continuity-start.ts runs
 * it (src/customer/continuity.ts), for the continuity tests: the customer,
 * one device's start against the fake, and a history of closed chats.
 *
 * @example
 *   const customer = customerOf();
 *   seedClosed(mock, customer.identity, 120);
 *   const chat = await beginStart(mock, TEST_ENV, { question: 'Hi' }, customer);
 */
import { loadConfig } from '../../src/config';
import { startOrResume } from '../../src/customer/continuity';
import type { VerifiedCustomer } from '../../src/customer/types';
import { customerIdentity, newIdentity } from '../../src/identity';
import { chatReadingOf, startChat as startModeChat } from '../../src/modes';
import { randomBytes } from 'node:crypto';
import { conversations, type MockConversation, type MockMessage } from '../../dev/twilio-fake/apis';
import { SERVICE_DOMAIN, TEST_ENV } from '../../dev/twilio-fake/env';
import type { TwilioMock } from '../../dev/twilio-fake/twilio-mock';

export type Env = Record<string, string | undefined>;
export const ISSUER = 'https://shop.example';

export function customerOf(sub = 'cus_42'): VerifiedCustomer {
  return {
    identity: customerIdentity(TEST_ENV.API_SECRET, ISSUER, sub),
    claims: { sub, iss: ISSUER, name: 'Ana', extra: {} },
    tokenExpiresAt: Math.floor(Date.now() / 1000) + 600,
    verifiedAt: Math.floor(Date.now() / 1000),
  };
}

export const configFor = (env: Env) =>
  loadConfig(env, { domainName: SERVICE_DOMAIN }, ['chats', 'handoff', 'sync']);

/** One device's start: nothing spent unless `spend` says so, no waiting unless `sleep` does. */
export function beginStart(
  mock: TwilioMock,
  env: Env,
  options: {
    question?: string;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
    spend?: () => Promise<void>;
  },
  customer: VerifiedCustomer,
) {
  const { question, sleep = () => Promise.resolve(), now, spend } = options;
  const config = configFor(env);
  const client = mock.client();
  return startOrResume(() => client, config, {
    customer,
    question,
    ...chatReadingOf(config.handoff.mode),
    spend: spend ?? (() => Promise.resolve()),
    create: ({ known, onLastRound }) =>
      startModeChat(client, config, config.handoff, {
        identity: newIdentity(Date.now()),
        friendlyName: 'Ana',
        ...(question !== undefined && { question }),
        preEngagement: {},
        customer,
        ...(known && { knownConversations: known }),
        onLastRound,
      }),
    sleep,
    ...(now && { now }),
  });
}

/** What a seeded conversation may differ in from an active, empty one of `identity`. */
export interface SeededChat {
  sid?: string;
  uniqueName?: string | null;
  attributes?: object;
  state?: string;
  /** How long ago Twilio made it (default: now). */
  createdMsAgo?: number;
  messages?: MockMessage[];
}

/** A conversation `identity` is the one participant of, put straight into the fake. */
export function seedChat(
  mock: TwilioMock,
  identity: string,
  chat: SeededChat = {},
): MockConversation {
  const sid = chat.sid ?? `CH${randomBytes(16).toString('hex')}`;
  const created = new Date(Date.now() - (chat.createdMsAgo ?? 0));
  const seeded: MockConversation = {
    sid,
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: chat.uniqueName ?? null,
    friendlyName: null,
    attributes: JSON.stringify(chat.attributes ?? {}),
    timers: {},
    state: chat.state ?? 'active',
    participants: [{ sid: `MB${sid.slice(2)}`, identity, attributes: '{}' }],
    webhooks: [],
    messages: chat.messages ?? [],
    dateCreated: created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  conversations(mock).set(sid, seeded);
  return seeded;
}

/** `count` closed conversations of `identity`, listed (by SID) before any new one. */
export function seedClosed(mock: TwilioMock, identity: string, count: number): void {
  for (let i = 0; i < count; i++) {
    seedChat(mock, identity, { sid: `CH${i.toString(16).padStart(32, '0')}`, state: 'closed' });
  }
}
