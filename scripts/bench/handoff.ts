/**
 * POST /interaction in webhook mode, the delivery that hands off (creates the
 * Interaction), in process against the local mock with LATENCY_MS per Twilio
 * request: Twilio requests it makes (mean), sequential round trips on the
 * critical path (counted from the mock's request timestamps; median) and wall
 * time (median of 10). Twilio's deliveries name their webhook (`WebhookSid`),
 * which the claim deletes beside the conversation read; one that names none
 * is claimed after listing the webhooks, one round trip more.
 */
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { fmt, LATENCY_MS, median, time } from './measure';
import { table } from './table';
import { handedOff, webhookChat } from './webhook-chat';

async function handoff(
  mock: TwilioMock,
  named: boolean,
): Promise<{ requests: number; roundTrips: number; ms: number }> {
  const runs = 10;
  const times: number[] = [];
  const trips: number[] = [];
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    mock.reset();
    const deliver = await webhookChat(mock);
    const before = mock.requests().length;
    mock.latencyMs = LATENCY_MS;
    times.push(
      await time(async () => {
        const res = await deliver(0, { named });
        if (!handedOff(res)) throw new Error(`no hand-off: ${res.text}`);
      }),
    );
    const made = mock.requests().slice(before);
    requests += made.length;
    trips.push(mock.sequentialRoundTrips(made));
  }
  return { requests: requests / runs, roundTrips: median(trips), ms: median(times) };
}

export async function interactionHandOff(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /interaction (webhook mode): the delivery that hands off, ${LATENCY_MS} ms per Twilio request (median of 10)`,
    ['the delivery'],
    ['Twilio requests', 'sequential round trips', 'wall time'],
  );
  for (const [label, named] of [
    ['names its webhook (`WebhookSid`, as Twilio sends it)', true],
    ['names none (claimed after a list)', false],
  ] as const) {
    const h = await handoff(mock, named);
    row(label, `${h.requests}`, `${h.roundTrips}`, `${fmt(h.ms, 0)} ms`);
  }
}
