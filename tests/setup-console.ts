/**
 * The functions log one JSON line per notable event; in tests that is noise.
 * Silenced unless SHOW_LOGS=1. Tests that assert on logs spy on console
 * themselves (tests/support/logs.ts), which works on top of this.
 */
if (!process.env.SHOW_LOGS) {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, level).mockImplementation(() => undefined);
  }
}
