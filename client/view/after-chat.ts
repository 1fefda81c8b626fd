/**
 * What the ended chat's panel offers beyond the transcript download, as the
 * site configured it: the survey (view/survey.ts) and "Email me this
 * transcript" (view/email-transcript.ts). Shown for a chat that ended (by
 * the customer or the agent), not for an expired session, whose token the
 * service would refuse. Reset for each chat.
 */
import { chatDisplay, type AfterChat } from '../lib/after-chat';
import type { AfterChatOptions, AfterChatView } from '../lib/after-chat-loader';
import { afterChatTranslator } from '../lib/i18n';
import { h } from './dom';
import { createEmailTranscriptView } from './email-transcript';
import { createSurveyView } from './survey';

export type { AfterChatView } from '../lib/after-chat-loader';

export function createAfterChatView(
  after: AfterChat,
  options: AfterChatOptions,
  css = '',
): AfterChatView {
  const t = afterChatTranslator(options.locale, options.strings);
  let conversationSid = '';
  let styled = false;
  const survey =
    options.survey &&
    createSurveyView((rating, comment) => after.sendSurvey(conversationSid, rating, comment), t);
  const email =
    options.emailTranscript &&
    createEmailTranscriptView(
      () => after.emailTranscript(conversationSid, chatDisplay(options)),
      t,
    );
  const element = h(
    'div',
    { class: 'fw-after-chat' },
    email && email.element,
    survey && survey.element,
  );
  return {
    element,
    render(state) {
      if (!styled) styled = adoptStyles(element, css);
      element.hidden = state.endedBy === 'expired' || !state.conversationSid;
      if (state.conversationSid && state.conversationSid !== conversationSid) {
        conversationSid = state.conversationSid;
        if (survey) survey.reset();
        if (email) email.reset();
      }
    },
  };
}

/**
 * Adds this bundle's styles to the widget's shadow root, once it is in one:
 * a constructed stylesheet (no 'unsafe-inline' needed), or a <style> where
 * browsers have none (as client/webchat.ts does).
 */
function adoptStyles(element: HTMLElement, css: string): boolean {
  const root = element.getRootNode();
  if (!css || !(root instanceof ShadowRoot)) return false;
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else {
    element.append(h('style', {}, css));
  }
  return true;
}
