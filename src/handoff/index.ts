/**
 * Picks the hand-off for the configured `HANDOFF_MODE`.
 *
 * @example
 *   const { conversationSid } = await createHandoff(client, config).startChat(chat);
 */
import type { Twilio } from 'twilio';
import type { Config } from '../config';
import { addressHandoff } from './address';
import { flexFlowHandoff } from './flex-flow';
import { studioHandoff } from './studio';
import type { Handoff } from './types';
import { webhookHandoff } from './webhook';

export type { ChatStart, Handoff, StartedChat } from './types';

export function createHandoff(client: Twilio, config: Config): Handoff {
  switch (config.handoff.mode) {
    case 'studio':
      return studioHandoff(client, config, config.handoff.studioFlowSid);
    case 'webhook':
      return webhookHandoff(client, config, config.handoff);
    case 'address':
      return addressHandoff(client, config, config.handoff.addressSid);
    case 'flex-flow':
      return flexFlowHandoff(client, config, config.handoff.flexFlowSid);
  }
}
