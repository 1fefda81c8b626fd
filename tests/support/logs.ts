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

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    }),
  );
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
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}
