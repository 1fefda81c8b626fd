/**
 * Checks `X-Twilio-Signature` on a webhook, over the exact URL this service
 * registered and the posted parameters, with the `twilio` library's own
 * constant-time validator. Deployed `.protected` functions are checked by
 * Twilio too; this also protects local runs and tunnels, where nothing is.
 *
 * @example
 *   assertTwilioSignature(config.authToken, config.handoff.interactionUrl, event);
 */
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { ForbiddenError } from './errors';
import { eventFields, header, type RuntimeEvent } from './http';

export function assertTwilioSignature(authToken: string, url: string, event: RuntimeEvent): void {
  const signature = header(event, 'x-twilio-signature');
  // The signed parameters are the posted ones: everything but the runtime's key.
  if (!signature || !validateRequest(authToken, signature, url, eventFields(event))) {
    throw new ForbiddenError('forbidden', 'This webhook is not signed by Twilio for this URL.');
  }
}
