/**
 * The post-chat survey, under the ended chat (`survey` option): a rating
 * from 1 to 5 as a group of native radio buttons in a fieldset (arrow keys
 * move between them; a screen reader reads the question, then "3, okay,
 * 3 of 5"), an optional comment, and a button. Sent once (POST /survey);
 * what happened is said in a live region: thanks, or what to do.
 */
import { errorCode } from '../lib/after-chat';
import type { AfterChatTranslate as Translate } from '../lib/i18n';
import { LIMITS } from '../../src/limits';
import { button, h } from './dom';

export interface SurveyView {
  element: HTMLElement;
  /** Shows a fresh survey for this chat. */
  reset(): void;
}

const RATINGS = [1, 2, 3, 4, 5] as const;

/** The question, as a fieldset of five native radio buttons, each with its words for screen readers. */
function ratingGroup(t: Translate): { fieldset: HTMLFieldSetElement; radios: HTMLInputElement[] } {
  const radios = RATINGS.map((n) =>
    h('input', { type: 'radio', name: 'fw-survey-rating', value: n, id: `fw-survey-${n}` }),
  );
  const fieldset = h(
    'fieldset',
    { class: 'fw-survey-rating' },
    h('legend', {}, t('survey.question')),
    ...RATINGS.map((n, i) =>
      h(
        'label',
        { for: `fw-survey-${n}`, class: 'fw-survey-choice' },
        radios[i],
        h('span', { 'aria-hidden': 'true' }, String(n)),
        h('span', { class: 'fw-sr-only' }, t(`survey.rating.${n}`)),
      ),
    ),
  );
  return { fieldset, radios };
}

export function createSurveyView(
  send: (rating: number, comment: string) => Promise<unknown>,
  t: Translate,
): SurveyView {
  const { fieldset, radios } = ratingGroup(t);
  const comment = h('textarea', {
    id: 'fw-survey-comment',
    rows: 2,
    maxlength: LIMITS.surveyCommentMaxLength,
  });
  const status = h('p', { class: 'fw-survey-status', role: 'status' });
  const sendButton = button('fw-secondary-button', t('survey.send'), () => void submit());
  const form = h(
    'div',
    { class: 'fw-survey-form' },
    fieldset,
    h('label', { for: 'fw-survey-comment', class: 'fw-survey-comment' }, t('survey.comment')),
    comment,
    sendButton,
  );
  const element = h('section', { class: 'fw-survey' }, form, status);

  async function submit(): Promise<void> {
    const chosen = radios.find((r) => r.checked);
    if (!chosen) {
      status.textContent = t('survey.chooseRating');
      radios[0]?.focus();
      return;
    }
    sendButton.disabled = true;
    status.textContent = t('survey.sending');
    try {
      await send(Number(chosen.value), comment.value.trim());
      settle(form, status, t('survey.thanks'));
    } catch (error) {
      if (errorCode(error) === 'survey_answered') {
        settle(form, status, t('survey.answered'));
        return;
      }
      sendButton.disabled = false;
      status.textContent = t('afterChat.failed');
    }
  }

  return {
    element,
    reset() {
      form.hidden = false;
      for (const radio of radios) radio.checked = false;
      comment.value = '';
      sendButton.disabled = false;
      status.textContent = '';
    },
  };
}

/** The question goes; the answer stays said, where focus can find it. */
function settle(form: HTMLElement, status: HTMLElement, text: string): void {
  const root = form.getRootNode() as ShadowRoot | Document;
  const hadFocus = form.contains(root.activeElement);
  form.hidden = true;
  status.textContent = text;
  if (hadFocus) {
    status.tabIndex = -1;
    status.focus();
  }
}
