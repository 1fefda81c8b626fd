/**
 * `npm run setup -- doctor` in tests (tests/setup/*): a working .env to start
 * from, one temporary project folder and one Twilio mock per test, and the
 * printed table read back as rows.
 *
 * @example
 *   const { mock, doctor } = doctorPerTest();
 *   const res = await doctor({ ...DOCTOR_BASE, HANDOFF_MODE: 'webhook' });
 *   expect(res.row('Conversations roles')?.status).toBe('✔ OK');
 */
import { serviceRoles } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { EnvDir, setupCli, type CliRun } from './setup-cli';

/** A .env as an object; undefined leaves the variable out. */
export type DoctorEnv = Record<string, string | undefined>;

/** Studio mode, every check passing against the mock's default account. */
export const DOCTOR_BASE: DoctorEnv = {
  ACCOUNT_SID: TEST_ENV.ACCOUNT_SID,
  AUTH_TOKEN: TEST_ENV.AUTH_TOKEN,
  API_KEY: TEST_ENV.API_KEY,
  API_SECRET: TEST_ENV.API_SECRET,
  CONVERSATIONS_SERVICE_SID: TEST_ENV.CONVERSATIONS_SERVICE_SID,
  HANDOFF_MODE: 'studio',
  STUDIO_FLOW_SID: TEST_ENV.STUDIO_FLOW_SID,
  ALLOWED_ORIGINS: 'https://www.example.com',
};

/** One row of doctor's table: `✔ OK`, `! WARN` or `✘ PROBLEM`, the check, the result, how to fix. */
export interface DoctorRow {
  status: string;
  name: string;
  detail: string;
  fix?: string;
}

export interface DoctorRun extends CliRun {
  rows: DoctorRow[];
  problems: DoctorRow[];
  /** The first row of this check. */
  row(name: string): DoctorRow | undefined;
  /** The first printed line of this check, as printed. */
  line(name: string): string | undefined;
}

const ROW = /^(✔ OK|! WARN|✘ PROBLEM)\s+(\S+(?: \S+)*?)\s{2,}(.*)$/;
const FIX = /^\s+how to fix: (.*)$/;

/** Reads doctor's printed table back. */
export function doctorRows(stdout: string): DoctorRow[] {
  const rows: DoctorRow[] = [];
  for (const line of stdout.split('\n')) {
    const row = ROW.exec(line);
    const fix = FIX.exec(line);
    if (row) rows.push({ status: row[1] ?? '', name: row[2] ?? '', detail: row[3] ?? '' });
    else if (fix && rows.length > 0) rows[rows.length - 1]!.fix = fix[1];
  }
  return rows;
}

/**
 * A Twilio mock and a project folder per test (`seed` runs on each fresh
 * mock), `doctor(env, argv)`, which runs doctor on that .env, and `dir()`.
 */
/** The account as doctor advises: Flex's `user` role without createConversation. */
export function advisedRoles(m: TwilioMock): void {
  const user = serviceRoles(m, TEST_ENV.CONVERSATIONS_SERVICE_SID).byName('user');
  user.permissions = user.permissions.filter((p) => p !== 'createConversation');
}

export function doctorPerTest(seed?: (mock: TwilioMock) => void) {
  const mock = TwilioMock.perTest((m) => {
    advisedRoles(m);
    seed?.(m);
  });
  let dir: EnvDir | undefined;
  beforeEach(async () => {
    dir = await EnvDir.create();
  });
  afterEach(() => dir?.remove());

  /** Doctor on this .env (null: no .env at all). */
  async function doctor(env: DoctorEnv | null, argv: string[] = []): Promise<DoctorRun> {
    if (!dir) throw new Error('doctor() runs inside a test');
    const envText = Object.entries(env ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const res = await setupCli(mock, dir, ['doctor', ...argv], env ? { envText } : {});
    const rows = doctorRows(res.stdout);
    return {
      ...res,
      rows,
      problems: rows.filter((r) => r.status === '✘ PROBLEM'),
      row: (name) => rows.find((r) => r.name === name),
      line: (name) => res.stdout.split('\n').find((l) => ROW.exec(l)?.[2] === name),
    };
  }
  /** This test's project folder (for other setup runs beside doctor). */
  const folder = (): EnvDir => {
    if (!dir) throw new Error('dir() runs inside a test');
    return dir;
  };
  return { mock, doctor, dir: folder };
}
