/**
 * Which of the account's resources a mode uses, when it needs one it can
 * also create (a Chat Address, a Flex Flow): the `--create-…` flag, else the
 * SID flag (which must name one of them), else a question proposing .env's,
 * else the first, else creating one. .env's SID that is not among them is
 * marked broken, so that whatever is chosen may replace it.
 */
import type { Named, Steps } from './context';
import { flagOf } from './options';
import { asked, type Source } from './plan';
import { choose, SetupError } from './terminal';

/** The question's value for "create one". */
export const CREATE = 'create';

export interface ResourceQuestion<T extends Named> {
  /** Its .env variable; its options are the variable's flag and --create-… (`--address`, `--create-address`). */
  variable: 'ADDRESS_SID' | 'FLEX_FLOW_SID';
  shape: string;
  /** As a sentence starts: "Chat Address". */
  what: string;
  /** What every listed one is: "a Chat Address of this account". */
  kind: string;
  /** Where to find one, for a SID option that names none: "pass one listed in …". */
  whereListed: string;
  question: string;
  createLabel: string;
  label(item: T): string;
  /** The values of the two flags. */
  given: string | undefined;
  create: boolean;
}

/** The resource chosen (undefined: create one), and who chose it. */
export async function chooseResource<T extends Named>(
  { term, file, plan }: Steps,
  found: T[],
  q: ResourceQuestion<T>,
): Promise<{ chosen: T | undefined; source: Source }> {
  const flag = flagOf(q.variable) ?? '';
  const createFlag = `--create-${flag.slice(2)}`;
  const inEnv = file.values[q.variable] || undefined;
  const current = found.find((r) => r.sid === inEnv);
  if (inEnv && !current) {
    plan.broken.set(q.variable, `it is not ${q.kind}`);
    term.say(`! ${q.variable} ${inEnv} in .env is not ${q.kind}.`);
  }
  if (q.create) return { chosen: undefined, source: 'flag' };
  if (q.given) {
    const given = found.find((r) => r.sid === q.given);
    if (given) return { chosen: given, source: 'flag' };
    throw new SetupError(
      `${q.what} ${q.given} (${flag}) is not ${q.kind}: ${q.whereListed}, or ${createFlag}.`,
    );
  }
  const choices = [
    ...found.map((r) => ({ value: r.sid, label: q.label(r) })),
    { value: CREATE, label: q.createLabel },
  ];
  const sid = await choose(term, q.question, choices, {
    flag: `${flag} ${q.shape} or ${createFlag}`,
    proposed: current?.sid ?? found[0]?.sid ?? CREATE,
  });
  return { chosen: found.find((r) => r.sid === sid), source: asked(term) };
}
