/**
 * Concurrent deliveries to POST /interaction for one webhook-mode
 * conversation (10 ms per Twilio request): the same customer message
 * delivered many times at once, mixed with the customer's other messages
 * (and, in the last burst, with deliveries that name no webhook, which take
 * the list path), must create exactly one Interaction (one Flex task); the
 * bench fails if not.
 */
import { interactions } from '../../dev/twilio-fake/apis';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { table } from './table';
import { handedOff, webhookChat } from './webhook-chat';

/**
 * Identical deliveries of the first message (naming its webhook, and naming
 * none), and deliveries of other messages.
 */
const BURSTS = [
  [20, 0, 5],
  [50, 0, 0],
  [100, 0, 10],
  [20, 20, 5],
] as const;

async function burst(
  mock: TwilioMock,
  [duplicates, unnamed, distinct]: (typeof BURSTS)[number],
): Promise<{ interactions: number; handedOff: number }> {
  mock.reset();
  const deliver = await webhookChat(mock);
  mock.latencyMs = 10;
  const results = await Promise.all([
    ...Array.from({ length: duplicates }, () => deliver(0)),
    ...Array.from({ length: unnamed }, () => deliver(0, { named: false })),
    ...Array.from({ length: distinct }, (_, i) => deliver(i + 1)),
  ]);
  return { interactions: interactions(mock).length, handedOff: results.filter(handedOff).length };
}

export async function concurrentDeliveries(mock: TwilioMock): Promise<void> {
  const row = table(
    'Concurrent deliveries for one conversation (10 ms per Twilio request)',
    ['deliveries at once'],
    ['Interactions created', 'deliveries that handed off'],
  );
  for (const sizes of BURSTS) {
    const [duplicates, unnamed, distinct] = sizes;
    const c = await burst(mock, sizes);
    const label =
      unnamed > 0
        ? `${duplicates} identical + ${unnamed} identical naming no webhook + ${distinct} other customer messages`
        : `${duplicates} identical + ${distinct} other customer messages`;
    row(label, `${c.interactions}`, `${c.handedOff}`);
    if (c.interactions !== 1)
      throw new Error(`expected exactly 1 Interaction, got ${c.interactions}`);
  }
}
