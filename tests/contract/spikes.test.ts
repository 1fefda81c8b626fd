/**
 * Spikes: 200 customers arriving within one second, in each HANDOFF_MODE,
 * against the Twilio fake with Twilio's documented rate limits on
 * (dev/twilio-fake/rate-limits.ts: WebChats and Flex Channels 5/s,
 * conversation creates 30/s per service). Each customer is the widget's own
 * start logic run in Node (dev/spike.ts: `Challenges` and `startWithRetry`
 * from client/lib, real time), with a valid proof solved beforehand; each
 * `/start-chat` is the real handler through the real `twilio` library.
 *
 * Every customer must get a chat, and Twilio must hold exactly one per
 * customer: no customer lost, none started twice. Nothing here is timed: at
 * 5 chats a second, address and flex-flow modes need 40 s or more, so the
 * four modes run side by side, each on a fake of its own (its own account and
 * limits). Each mode's spike starts 3 s after the previous one: this one
 * process plays Twilio, the Functions runtime and 800 browsers, and four
 * spikes in the same second would starve its event loop past the functions'
 * Twilio timeout (1.7 s), which would measure this machine, not the service.
 */
import { prepareSpike, SPIKE_MODES, type SpikeResult } from '../../dev/spike';

const CUSTOMERS = 200;
const STAGGER_MS = 3000;

// The slow modes first: they set the file's wall time (about 50 s).
const ORDER = ['address', 'flex-flow', 'studio', 'webhook'];

let results: Map<string, SpikeResult>;

beforeAll(async () => {
  const modes = ORDER.map((name) => SPIKE_MODES.find((m) => m.mode === name)!);
  const spikes = [];
  for (const mode of modes) spikes.push(await prepareSpike(mode, CUSTOMERS));
  try {
    const settled = await Promise.all(
      spikes.map(async (spike, i) => {
        await new Promise((r) => setTimeout(r, i * STAGGER_MS));
        return spike.run();
      }),
    );
    results = new Map(settled.map((r) => [r.mode, r]));
  } finally {
    await Promise.all(spikes.map((s) => s.stop()));
  }
}, 150_000);

describe.each(ORDER)('%s mode: 200 customers within one second', (mode) => {
  const result = () => results.get(mode)!;

  it('met Twilio’s rate limit (the spike is real)', () => {
    expect(result().busy).toBeGreaterThan(0);
    expect(result().calls).toBe(CUSTOMERS + result().busy);
  });

  it('started every customer: none lost', () => {
    expect(result().failures).toEqual({});
    expect(result().started).toBe(CUSTOMERS);
    expect(result().distinctChats).toBe(CUSTOMERS);
  });

  it('started none twice: one chat at Twilio per customer, each customer in one', () => {
    expect(result().conversations).toBe(CUSTOMERS);
    expect(result().created).toBe(CUSTOMERS);
    expect(result().duplicated).toBe(0);
    expect(new Set(result().identities).size).toBe(CUSTOMERS);
  });

  it("kept to Twilio's API specs throughout", () => {
    expect(result().violations).toEqual([]);
  });
});
