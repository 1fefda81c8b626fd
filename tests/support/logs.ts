/**
 * Captures what the code under test logs, so tests can assert on log events
 * and prove that no secret or customer data is ever written.
 */
export interface CapturedLogs {
  lines: string[];
  text(): string;
  events(): string[];
  restore(): void;
}

export function captureLogs(lines: string[] = []): CapturedLogs {
  const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    }),
  );
  return { ...readLines(lines), restore: () => spies.forEach((s) => s.mockRestore()) };
}

function readLines(lines: string[]): Omit<CapturedLogs, 'restore'> {
  return {
    lines,
    text: () => lines.join('\n'),
    events: () =>
      lines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as { event?: string };
          return parsed.event ? [parsed.event] : [];
        } catch {
          return [];
        }
      }),
  };
}

/**
 * Captures the logs of every test in a file (from a fresh start each time);
 * the returned object always reads the current test's.
 *
 * @example
 *   const logs = captureLogsPerTest();
 *   it('...', () => expect(logs.events()).toContain('chat_started'));
 */
export function captureLogsPerTest(): CapturedLogs {
  const lines: string[] = [];
  let current: CapturedLogs | undefined;
  beforeEach(() => {
    lines.length = 0;
    current = captureLogs(lines);
  });
  afterEach(() => current?.restore());
  return { ...readLines(lines), restore: () => current?.restore() };
}
