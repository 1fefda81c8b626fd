/**
 * What the ended chat's panel offers beyond the transcript download, as the
 * site configured it: the survey (view/survey.ts) and "Email me this
 * transcript" (view/email-transcript.ts). Shown for a chat that ended (by
 * the customer or the agent), not for an expired session, whose token the
 * service would refuse. Reset for each chat.
 */
import type { AfterChat } from '../lib/after-chat';
import type { Translate } from '../lib/i18n';
import type { State } from '../lib/state';
import { h } from './dom';
import { createEmailTranscriptView } from './email-transcript';
import { createSurveyView } from './survey';

export interface AfterChatView {
  element: HTMLElement;
  render(state: State): void;
}

export function createAfterChatView(
  after: AfterChat,
  options: { survey: boolean; emailTranscript: boolean },
  t: Translate,
): AfterChatView | undefined {
  if (!options.survey && !options.emailTranscript) return undefined;
  let conversationSid = '';
  const survey =
    options.survey &&
    createSurveyView((rating, comment) => after.sendSurvey(conversationSid, rating, comment), t);
  const email =
    options.emailTranscript &&
    createEmailTranscriptView(() => after.emailTranscript(conversationSid), t);
  const element = h(
    'div',
    { class: 'fw-after-chat' },
    email && email.element,
    survey && survey.element,
  );
  return {
    element,
    render(state) {
      element.hidden = state.endedBy === 'expired' || !state.conversationSid;
      if (state.conversationSid && state.conversationSid !== conversationSid) {
        conversationSid = state.conversationSid;
        if (survey) survey.reset();
        if (email) email.reset();
      }
    },
  };
}
