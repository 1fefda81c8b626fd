/**
 * Spikes: 200 customers arriving within one second, per HANDOFF_MODE, each
 * the widget's own start logic (Challenges + startWithRetry, real time)
 * against a fake of its own with Twilio's documented rate limits on
 * (dev/spike.ts, as tests/contract/spikes.test.ts runs it): time from arrival
 * to a started chat (p50, p95, max), customers lost (their widget gave up),
 * chats duplicated (at Twilio beyond one per customer), and the /start-chat
 * calls it took (busy answers among them). The modes run side by side, each
 * 3 s after the previous (one process plays Twilio, the functions and 800
 * browsers); no added latency per Twilio request.
 */
import { prepareSpike, quantile, SPIKE_MODES, type SpikeResult } from '../../dev/spike';
import { fmt } from './measure';
import { table } from './table';

const CUSTOMERS = 200;
const STAGGER_MS = 3000;
const ORDER = ['address', 'flex-flow', 'studio', 'webhook'];

const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;

export async function spikeFigures(): Promise<void> {
  const modes = ORDER.map((name) => SPIKE_MODES.find((m) => m.mode === name)!);
  const spikes = [];
  for (const mode of modes) spikes.push(await prepareSpike(mode, CUSTOMERS));
  let results: SpikeResult[];
  try {
    results = await Promise.all(
      spikes.map(async (spike, i) => {
        await new Promise((r) => setTimeout(r, i * STAGGER_MS));
        return spike.run();
      }),
    );
  } finally {
    await Promise.all(spikes.map((s) => s.stop()));
  }
  const row = table(
    `A spike: ${CUSTOMERS} customers within one second per mode, Twilio's rate limits on, the widget's retry`,
    ['mode', 'Twilio limit'],
    ['time to start p50', 'p95', 'max', 'lost', 'duplicated', '/start-chat calls (busy)'],
  );
  const limits: Record<string, string> = {
    address: 'WebChats 5/s',
    'flex-flow': 'Channels 5/s',
    studio: 'creates 30/s',
    webhook: 'creates 30/s',
  };
  for (const r of results) {
    const t = r.timeToStartMs;
    row(
      `\`${r.mode}\``,
      limits[r.mode] ?? '',
      seconds(quantile(t, 0.5)),
      seconds(quantile(t, 0.95)),
      seconds(quantile(t, 1)),
      `${r.lost}`,
      `${r.duplicated}`,
      `${r.calls} (${r.busy})`,
    );
  }
}
