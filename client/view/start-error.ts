/**
 * Why the chat did not start, shown above the form's fields: the refusal in
 * words a customer understands and, when the service is not configured,
 * details for the site owner. Takes the error (undefined clears it), and
 * whether the form has marked every field it names.
 */
import type { Translate } from '../lib/i18n';
import type { StartError } from '../lib/state';
import { h } from './dom';

export function renderStartError(
  box: HTMLElement,
  error: StartError | undefined,
  allMarked: boolean,
  t: Translate,
): void {
  box.replaceChildren();
  box.hidden = !error;
  if (!error) return;
  box.append(h('p', {}, allMarked ? t('error.checkFields') : startErrorText(error, t)));
  // Misconfiguration: tell the site owner exactly what to set (names only).
  if (error.code === 'not_configured' && error.fields?.length) {
    const list = h(
      'ul',
      {},
      ...error.fields.map((f) => h('li', {}, h('code', {}, f.field), ` ${f.problem}`)),
    );
    box.append(
      h(
        'details',
        { class: 'fw-details' },
        h('summary', {}, t('error.details')),
        h('p', {}, error.message),
        list,
      ),
    );
  }
}

export function startErrorText(error: StartError, t: Translate): string {
  switch (error.code) {
    case 'not_configured':
      return t('error.notConfigured');
    case 'origin_not_allowed':
      return t('error.originNotAllowed');
    case 'network':
      return t('error.network');
    case 'upstream_rate_limited':
      return t('error.rateLimited');
    case 'captcha_required':
      return t('captcha.required');
    case 'captcha_invalid':
      return t('captcha.again');
    case 'captcha_unavailable':
      return t('captcha.unavailable');
    case 'outside_opening_hours':
      return t('error.closed');
    case 'invalid_request':
      return error.fields ? t('error.generic') : error.message;
    default:
      return t('error.generic');
  }
}
