/**
 * Why the chat did not start, shown above the form's fields: the refusal in
 * words a customer understands and, when the service is not configured,
 * details for the site owner. Takes the error (undefined clears it), and
 * whether the form has marked every field it names.
 */
import { customerPart } from '../lib/customer-loader';
import type { Translate } from '../lib/i18n';
import type { StartError } from '../lib/state';
import { h } from './dom';

export function renderStartError(
  box: HTMLElement,
  error: StartError | undefined,
  allMarked: boolean,
  t: Translate,
  /** Where "Please sign in to chat" links to, if the site gave it. */
  { signInUrl }: { signInUrl?: string | undefined } = {},
): void {
  box.replaceChildren();
  box.hidden = !error;
  if (!error) return;
  box.append(h('p', {}, allMarked ? t('error.checkFields') : startErrorText(error, t)));
  if (error.code === 'customer_token_required' && signInUrl) {
    box.append(h('p', {}, h('a', { href: signInUrl }, t('signIn'))));
  }
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
    case 'customer_token_required':
      return t('error.signInRequired');
    default:
      // A customer-token refusal is said by the customer's part (webchat-customer.js).
      return customerPart()?.errorText(error.code) ?? t('error.generic');
  }
}
