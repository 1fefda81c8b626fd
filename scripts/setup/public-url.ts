/**
 * PUBLIC_BASE_URL: where Twilio reaches this service's /interaction. Asked
 * for by the modes that route through it: required to create a Chat Address
 * that calls it; in webhook mode only for running locally (a deployed
 * service uses its own domain). Checked with the functions' own rules, so a
 * URL with a path (a pasted …/interaction) is refused here as it would be there.
 */
import { problemWith, type Steps } from './context';
import { asked, type Source } from './plan';
import { askText, SetupError } from './terminal';

async function askPublicBaseUrl(
  ctx: Steps,
  required: boolean,
): Promise<{ value: string | undefined; source: Source }> {
  const { opts, term, file } = ctx;
  const check = (value: string) => {
    if (value === '') return required ? 'A URL is needed here (https://…).' : undefined;
    const problem = problemWith('PUBLIC_BASE_URL', value);
    return problem && `PUBLIC_BASE_URL ${problem}`;
  };
  if (opts.publicBaseUrl !== undefined) {
    // The flag answers the question; one the rules refuse is an error, not a question.
    const problem = check(opts.publicBaseUrl);
    if (problem) throw new SetupError(`--public-base-url: ${problem}`);
    return { value: opts.publicBaseUrl.replace(/\/+$/, '') || undefined, source: 'flag' };
  }
  const proposed = (file.values.PUBLIC_BASE_URL || undefined) ?? (required ? undefined : '');
  const url = await askText(
    term,
    required
      ? 'The https URL Twilio reaches this service at (your deployed https://<service>.twil.io, or a tunnel)'
      : 'The https URL Twilio reaches this service at when you run npm start (a tunnel; empty if you only deploy)',
    { flag: '--public-base-url', ...(proposed !== undefined && { proposed }), check },
  );
  return { value: url === '' ? undefined : url.replace(/\/+$/, ''), source: asked(term) };
}

/** Asks, and decides PUBLIC_BASE_URL; resolves to the URL ('' when none). */
export async function decidePublicBaseUrl(ctx: Steps, required: boolean): Promise<string> {
  const url = await askPublicBaseUrl(ctx, required);
  ctx.plan.decide('PUBLIC_BASE_URL', url.value, url.source);
  return url.value ?? '';
}
