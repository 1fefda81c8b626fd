/**
 * The preview can never be deployed: nothing of dev/preview/ is in dist/
 * (the only folders .twilioserverlessrc gives twilio-run deploy), and
 * `npm run deploy` refuses the preview's configuration, forced with `--env`
 * or `--username`, before it builds or runs twilio-run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../dev/local-runtime';
import { envFileText, previewEnv } from '../../dev/preview/env';
import { PREVIEW_ACCOUNT_SID, previewDeployRefusal } from '../../scripts/preview-guard';

const run = promisify(execFile);
const dist = join(ROOT, 'dist');

/** `npm run deploy -- ...args`, without npm: its exit code and what it printed. */
async function deploy(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'deploy.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 30_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('the preview is never deployed', () => {
  it('is not in what twilio-run deploy uploads: dist/ has no file or line of dev/preview/', () => {
    const rc = readFileSync(join(ROOT, '.twilioserverlessrc'), 'utf8');
    expect(rc).toMatch(/"functionsFolder": "dist\/functions"/);
    expect(rc).toMatch(/"assetsFolder": "dist\/assets"/);
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      statSync(join(dist, f)).isFile(),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => /preview|agent/i.test(f))).toEqual([]);
    const leaks = files.filter((f) => {
      const text = readFileSync(join(dist, f), 'utf8');
      return ['/preview/api/', '/agent/api/', 'preview-agent-', 'preview.invalid'].some((s) =>
        text.includes(s),
      );
    });
    expect(leaks).toEqual([]);
  });

  it("refuses the preview's configuration passed with --env, before building", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-env-'));
    const envFile = join(dir, 'preview.env');
    writeFileSync(envFile, envFileText(previewEnv(3000)));
    const builtAt = statSync(dist).birthtimeMs;

    const { code, output } = await deploy(['--env', envFile]);

    expect(code).toBe(1);
    expect(output).toContain(`ACCOUNT_SID is ${PREVIEW_ACCOUNT_SID}`);
    expect(output).toContain('Run npm run setup');
    expect(output).not.toMatch(/twilio-run|Deploying|username/i);
    expect(statSync(dist).birthtimeMs).toBe(builtAt); // dist/ was not rebuilt
  });

  it('refuses the preview account given as --username, whatever the env file says', async () => {
    const { code, output } = await deploy([
      '--env',
      join(ROOT, 'no-such.env'),
      '--username',
      PREVIEW_ACCOUNT_SID,
      '--password',
      'x'.repeat(32),
    ]);
    expect(code).toBe(1);
    expect(output).toContain(`ACCOUNT_SID is ${PREVIEW_ACCOUNT_SID}`);
  });

  it('lets any other account through (to the credentials check)', () => {
    const real = { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN: 'f'.repeat(32) };
    expect(previewDeployRefusal([], real)).toBeUndefined();
    expect(previewDeployRefusal(['-u', real.ACCOUNT_SID], previewEnv(3000))).toBeUndefined();
    expect(previewDeployRefusal(['-u', PREVIEW_ACCOUNT_SID], real)).toBeDefined();
    expect(previewDeployRefusal([], previewEnv(3000))).toBeDefined();
  });
});
