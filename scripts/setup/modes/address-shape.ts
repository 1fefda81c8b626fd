/**
 * A Chat Address as setup and doctor read it: its auto-creation (which the
 * twilio library leaves untyped), where it routes in ADDRESS_ROUTES_TO's
 * words, and how to name its target to a person.
 */
import type { AddressConfigurationInstance as ChatAddress } from 'twilio/lib/rest/conversations/v1/addressConfiguration';
import { ADDRESS_ROUTES, type AddressRoute } from '../../../src/modes/address';

export type { ChatAddress };

/** An address's `auto_creation`, as Twilio reports it (the library leaves it untyped). */
export interface AutoCreation {
  enabled?: boolean;
  type?: string;
  conversation_service_sid?: string | null;
  studio_flow_sid?: string | null;
  webhook_url?: string | null;
}

export const autoOf = (a: ChatAddress) => (a.autoCreation ?? {}) as AutoCreation;

/** Where the address sends chats, as ADDRESS_ROUTES_TO says it; undefined for anything else. */
export const routeOf = (a: ChatAddress): AddressRoute | undefined =>
  ADDRESS_ROUTES.find((route) => route === autoOf(a).type);

export const describeTarget = (a: ChatAddress): string =>
  routeOf(a) === 'webhook'
    ? (autoOf(a).webhook_url ?? 'a webhook')
    : `Studio ${autoOf(a).studio_flow_sid ?? ''}`;

export const ROUTING = ['TASKROUTER_WORKSPACE_SID', 'TASKROUTER_WORKFLOW_SID'] as const;
