/**
 * The form's CAPTCHA (lib/captcha.ts), when the service asks for one: a
 * labelled group ("Security check") with the provider's widget in it and a
 * message below when it is missing or failed. Hidden while none is required.
 *
 * The provider renders into an element of the page itself (a light-DOM child
 * of the widget's host, shown in the form through a `<slot>`): providers
 * look their widgets up in the document and cannot reach into a shadow root.
 * The same element serves every form the panel builds, so the provider
 * renders once per page.
 */
import type { Captcha, CaptchaStatus } from '../lib/captcha';
import type { Translate } from '../lib/i18n';
import { h } from './dom';

export interface CaptchaView {
  element: HTMLElement;
  /** On submit: true when the start may go; otherwise says so, moves focus here, and false. */
  check(): boolean;
}

const SLOT = 'fw-captcha';
let ids = 0;

export function createCaptchaView(captcha: Captcha, host: Element, t: Translate): CaptchaView {
  const id = `fw-captcha-${++ids}`;
  const message = h('p', { id: `${id}-message`, class: 'fw-field-error', hidden: true });
  const element = h(
    'div',
    {
      class: 'fw-captcha',
      role: 'group',
      'aria-labelledby': `${id}-label`,
      'aria-describedby': `${id}-message`,
      tabindex: -1,
      hidden: true,
    },
    h('p', { id: `${id}-label`, class: 'fw-captcha-label' }, t('captcha.label')),
    h('slot', { name: SLOT }),
    message,
  );
  const say = (text: string | undefined) => {
    message.textContent = text ?? '';
    message.hidden = text === undefined;
  };
  const show = (status: CaptchaStatus) => {
    element.hidden = !captcha.required;
    if (captcha.required) captcha.mount(container(host));
    if (status === 'failed') say(t('captcha.failed'));
    else if (status === 'solved') say(undefined);
  };
  captcha.subscribe(show);
  show(captcha.status);
  return {
    element,
    check() {
      if (!captcha.required || captcha.token) return true;
      say(t(captcha.status === 'failed' ? 'captcha.failed' : 'captcha.required'));
      element.focus();
      return false;
    },
  };
}

/** The page-side element the provider renders into, made once per host. */
function container(host: Element): HTMLElement {
  const found = [...host.children].find((child) => child.getAttribute('slot') === SLOT);
  if (found instanceof HTMLElement) return found;
  const made = document.createElement('div');
  made.setAttribute('slot', SLOT);
  host.append(made);
  return made;
}
