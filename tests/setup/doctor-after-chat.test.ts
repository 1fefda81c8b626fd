/**
 * `npm run setup -- doctor` with the survey and the emailed transcript: their
 * variables are checked by the same rules as the functions (src/config), so a
 * SendGrid key of the wrong shape or a webhook without its secret is named,
 * and no secret is printed.
 */
import { DOCTOR_BASE, doctorPerTest } from '../support/doctor';

const { doctor } = doctorPerTest();

const BASE = DOCTOR_BASE as Record<string, string>;

describe('doctor: the survey and the emailed transcript', () => {
  it('names a SendGrid key that is not one (SG.…) without printing it', async () => {
    const key = 'not-a-sendgrid-key-0123456789';
    const res = await doctor({
      ...BASE,
      SENDGRID_API_KEY: key,
      TRANSCRIPT_FROM: 'help@acme.example',
    });
    expect(res.stdout).toMatch(/✘ PROBLEM\s+SENDGRID_API_KEY\s+.*must be a SendGrid API key/);
    expect(res.stdout).not.toContain(key);
    expect(res.code).not.toBe(0);
  });

  it('names a survey webhook without its secret, and a sender that is not an address', async () => {
    const res = await doctor({
      ...BASE,
      SURVEY: 'on',
      SURVEY_WEBHOOK_URL: 'https://hooks.example/survey',
      SENDGRID_API_KEY: `SG.${'a'.repeat(22)}.${'b'.repeat(43)}`,
      TRANSCRIPT_FROM: 'Acme Support',
    });
    expect(res.stdout).toMatch(/✘ PROBLEM\s+SURVEY_WEBHOOK_SECRET/);
    expect(res.stdout).toMatch(/✘ PROBLEM\s+TRANSCRIPT_FROM/);
    expect(res.stdout).not.toContain('b'.repeat(43));
  });

  it('is content with both configured well', async () => {
    const res = await doctor({
      ...BASE,
      SURVEY: 'on',
      SURVEY_WEBHOOK_URL: 'https://hooks.example/survey',
      SURVEY_WEBHOOK_SECRET: 'x'.repeat(40),
      SENDGRID_API_KEY: `SG.${'a'.repeat(22)}.${'b'.repeat(43)}`,
      TRANSCRIPT_FROM: 'Acme Support <help@acme.example>',
    });
    expect(res.stdout).not.toMatch(/PROBLEM\s+(SURVEY|SENDGRID|TRANSCRIPT)/);
    expect(res.code).toBe(0);
  });
});
