/**
 * The placeholder claim (until the Sync-backed claimOnce is merged): it grants
 * everything, so this test documents the gap it leaves, and fails the day the
 * module starts refusing (then replace it with claimOnce's own tests).
 */
import { claimOnce } from './claim-placeholder';

it('grants every claim, even a repeated one, and logs that single use is missing', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    expect(await claimOnce('challenge_abc', 360)).toBe(true);
    expect(await claimOnce('challenge_abc', 360)).toBe(true);
    const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as { event: string });
    expect(lines.map((l) => l.event)).toEqual([
      'challenge_single_use_missing',
      'challenge_single_use_missing',
    ]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('challenge_abc');
  } finally {
    warn.mockRestore();
  }
});
