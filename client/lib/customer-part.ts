/**
 * webchat-customer.js's part of the widget, built for one widget
 * (customer-loader.ts says why it is a separate file): the customer's
 * tokens and the Api that sends them (customer.ts), the session that shows
 * who is signed in, a continued chat and the previous one
 * (customer-session.ts), the views for those, their strings and styles.
 */
import css from '../styles/customer.css';
import { createPreviousChatView } from '../view/previous-chat';
import { createSignedInForm } from '../view/signed-in-form';
import { call, siblingUrl } from './api';
import { CustomerTokens, withCustomer, type Fail } from './customer';
import { CUSTOMER_ERRORS, customerTranslator } from './customer-i18n';
import type { CustomerPart, CustomerPartDeps } from './customer-loader';
import { onLogoutElsewhere } from './customer-logout';
import { CustomerSession } from './customer-session';
import type { PreviousChat } from './customer-state';

export function createCustomerPart(deps: CustomerPartDeps): CustomerPart {
  const { config } = deps;
  const t = customerTranslator(config.locale, config.strings);
  const fail: Fail = (status, code, message) => new deps.ApiError(status, code, message);
  const tokens = new CustomerTokens(config, fail);
  const previousChat = (token: string) => fetchPreviousChat(config.startChatUrl, token);
  const session = new CustomerSession({ tokens, previousChat });
  onLogoutElsewhere(config.startChatUrl, () => void session.loggedOutElsewhere());
  return {
    api: withCustomer(deps.api, tokens, fail, session),
    attach: (chat) => session.attach(chat),
    forget: () => session.forget(),
    signedInForm(fields, rows, intro, anchor) {
      addStyles(anchor);
      return createSignedInForm(fields, rows, intro, anchor, config.signedInForm, t);
    },
    previousChat(scroller) {
      addStyles(scroller);
      return createPreviousChatView(scroller, t, config.locale);
    },
    errorText: (code) => {
      const key = CUSTOMER_ERRORS[code];
      return key && t(key);
    },
  };
}

/** POST /previous-chat (SHOW_PREVIOUS_CHAT): a signed-in customer's previous chat, or null. */
export async function fetchPreviousChat(
  startChatUrl: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
): Promise<PreviousChat | null> {
  const url = siblingUrl(startChatUrl, 'previous-chat');
  const answer = await call<{ previousChat: PreviousChat | null }>(fetchImpl, url, { token });
  return answer.previousChat ?? null;
}

/**
 * Adds these styles to the widget's shadow root (once): a constructed
 * stylesheet, as webchat.js does (no inline style, for a strict CSP), or a
 * <style> element where there are none.
 */
const styled = new WeakSet<ShadowRoot>();

function addStyles(inside: Node): void {
  const root = inside.getRootNode();
  if (!(root instanceof ShadowRoot) || styled.has(root)) return;
  styled.add(root);
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
}
