/**
 * The CLI's conversation with its user: progress lines, and questions.
 *
 * - Interactive (the default): questions are read line by line from stdin,
 *   a terminal or a script (lines that arrive early are queued, not lost).
 *   Stdin ending before an answer is an error that names the flag to pass.
 * - `--yes`: nothing is asked; every question takes its proposed answer, and
 *   one with no proposal is an error naming the flag to pass.
 * - On a real terminal (TTY), hidden questions (the Auth Token) are not
 *   echoed, nor is anything typed ahead of them once `holdInput` is called;
 *   a new API key's secret may be shown once.
 *
 * @example
 *   const term = createTerminal({ input: process.stdin, output: process.stdout, yes: false });
 *   const mode = await choose(term, 'Hand-off mode', modes, { flag: '--mode', proposed: 'studio' });
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** The user must act: no answer to a question, a missing flag, a refusal. */
export class SetupError extends Error {
  override name = 'SetupError';
}

export interface Terminal {
  /** Prints one line (or several). */
  say(text?: string): void;
  /** May questions be asked? False with --yes. */
  readonly interactive: boolean;
  /** Is this a real terminal (so a secret may be shown on it once)? */
  readonly tty: boolean;
  /**
   * On a terminal: from now until a hidden question is answered, show
   * nothing typed except at a visible question (call it before asking for a
   * secret, so nothing typed ahead of that question is echoed).
   */
  holdInput(): void;
  /** Asks one question; resolves to the trimmed answer ('' for an empty line). */
  ask(question: string, options?: AskOptions): Promise<string>;
  close(): void;
}

export interface AskOptions {
  /** Do not echo what is typed (on a terminal). */
  hidden?: boolean;
  /** What the question is about, for the error when input ends (default: the prompt). */
  about?: string;
  /** The flag that answers it instead, for that error. */
  flag?: string;
}

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Answer every question with its proposal. */
  yes: boolean;
  /** A real terminal on both ends. */
  tty?: boolean;
}

/**
 * What is shown of typing. On a terminal readline echoes what is typed
 * through `echo`: muted, it shows nothing. Muted while a hidden question
 * waits, and (after holdInput) whenever no visible question does, so that
 * nothing typed ahead of the Auth Token question is ever shown.
 */
interface EchoState {
  muted: boolean;
  holding: boolean;
}

interface Reader {
  rl: ReturnType<typeof createInterface>;
  /** Read through readline's async iterator, which queues lines that arrive before they are asked for. */
  lines: AsyncIterator<string>;
}

function openReader(input: NodeJS.ReadableStream, echo: Writable, tty: boolean, state: EchoState) {
  const rl = createInterface({ input, output: echo, terminal: tty });
  // In terminal mode readline takes Ctrl+C itself: restore the terminal, then stop as asked.
  rl.on('SIGINT', () => {
    rl.close();
    process.kill(process.pid, 'SIGINT');
  });
  // At once, not when the answer is awaited: the rest of a pasted chunk is echoed meanwhile.
  rl.on('line', () => {
    if (state.holding) state.muted = true;
  });
  return { rl, lines: rl[Symbol.asyncIterator]() };
}

/** Shows a question; false when readline is closed (stdin ended at an earlier question). */
function prompt(reader: Reader, output: NodeJS.WritableStream, question: string, hidden: boolean) {
  try {
    if (hidden) {
      // Written past the muted echo; readline's own redraws then show nothing.
      reader.rl.setPrompt('');
      output.write(question);
    } else {
      // Through readline, so that it redraws the question with the line when editing.
      reader.rl.setPrompt(question);
      reader.rl.prompt();
    }
    return true;
  } catch {
    return false;
  }
}

export function createTerminal({ input, output, yes, tty = false }: TerminalOptions): Terminal {
  const state: EchoState = { muted: false, holding: false };
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!state.muted) output.write(chunk);
      done();
    },
  });
  // Created at the first question (or holdInput).
  let reader: Reader | undefined;
  const open = () => (reader ??= openReader(input, echo, tty, state));

  return {
    interactive: !yes,
    tty,
    say(text = '') {
      output.write(`${text}\n`);
    },
    holdInput() {
      if (!tty || yes) return;
      // Readline puts the terminal in raw mode, so the terminal itself stops echoing too.
      state.holding = true;
      state.muted = true;
      open();
    },
    async ask(question, options = {}) {
      const hidden = options.hidden === true && tty;
      const ended = () =>
        new SetupError(
          `No answer to "${options.about ?? question.trim()}" (input ended)${
            options.flag ? `: pass ${options.flag} to answer it without a question` : ''
          }.`,
        );
      state.muted = hidden;
      if (!prompt(open(), output, question, hidden)) throw ended();
      try {
        const next: IteratorResult<string> = await open().lines.next();
        if (next.done === true) throw ended();
        return next.value.trim();
      } finally {
        if (hidden) {
          output.write('\n');
          state.holding = false; // the secret is in: typing may show again
        }
        state.muted = state.holding;
      }
    },
    close() {
      reader?.rl.close();
    },
  };
}

export interface QuestionOptions<T> {
  /** The flag that answers this question without asking. */
  flag: string;
  /** The proposed answer (taken with --yes, or on an empty line). */
  proposed?: T;
}

/** A free-text answer; `check` returns a problem to ask again (or fail with --yes). */
export async function askText(
  term: Terminal,
  question: string,
  options: QuestionOptions<string> & { check?: (value: string) => string | undefined },
): Promise<string> {
  const { proposed, flag, check } = options;
  if (!term.interactive) {
    if (proposed === undefined) throw new SetupError(`${question}: pass ${flag}.`);
    const problem = check?.(proposed);
    if (problem) throw new SetupError(`${question}: ${problem} (${flag}).`);
    return proposed;
  }
  for (;;) {
    const hint = proposed !== undefined && proposed !== '' ? ` [${proposed}]` : '';
    const answer =
      (await term.ask(`${question}${hint}: `, { about: question, flag })) || proposed || '';
    const problem = check?.(answer);
    if (!problem) return answer;
    term.say(`  ${problem}`);
  }
}

export async function confirm(
  term: Terminal,
  question: string,
  options: QuestionOptions<boolean>,
): Promise<boolean> {
  const proposed = options.proposed ?? false;
  if (!term.interactive) return proposed;
  for (;;) {
    const answer = (
      await term.ask(`${question} ${proposed ? '[Y/n]' : '[y/N]'} `, {
        about: question,
        flag: options.flag,
      })
    ).toLowerCase();
    if (answer === '') return proposed;
    if (['y', 'yes'].includes(answer)) return true;
    if (['n', 'no'].includes(answer)) return false;
    term.say('  Answer y or n.');
  }
}

export interface Choice<T> {
  value: T;
  label: string;
}

/** One of a list, by number (or by its value typed in full). */
export async function choose<T extends string>(
  term: Terminal,
  question: string,
  choices: readonly Choice<T>[],
  options: QuestionOptions<T>,
): Promise<T> {
  const { proposed, flag } = options;
  if (!term.interactive) {
    if (proposed === undefined) throw new SetupError(`${question}: pass ${flag}.`);
    return proposed;
  }
  const proposedIndex = choices.findIndex((c) => c.value === proposed);
  term.say(question);
  choices.forEach((c, i) => term.say(`  ${i + 1}) ${c.label}`));
  for (;;) {
    const hint = proposedIndex >= 0 ? ` [${proposedIndex + 1}]` : '';
    const answer = await term.ask(`Choose 1-${choices.length}${hint}: `, { about: question, flag });
    if (answer === '' && proposed !== undefined) return proposed;
    const byNumber = choices[Number(answer) - 1];
    if (/^\d+$/.test(answer) && byNumber) return byNumber.value;
    const byValue = choices.find((c) => c.value === answer);
    if (byValue) return byValue.value;
    term.say(`  Type a number from 1 to ${choices.length}.`);
  }
}
