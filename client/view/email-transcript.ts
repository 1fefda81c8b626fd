/**
 * "Email me this transcript", under the ended chat (`emailTranscript`
 * option): one button; the service sends the transcript to the address on
 * the chat's record (never one typed here) and says where, partly hidden.
 * What happened is said in a live region; a refusal that will not change
 * (no address, the limit reached) takes the button away.
 */
import { errorCode, type TranscriptSent } from '../lib/after-chat';
import type { AfterChatTranslate as Translate } from '../lib/i18n';
import { button, h } from './dom';

export interface EmailTranscriptView {
  element: HTMLElement;
  reset(): void;
}

export function createEmailTranscriptView(
  send: () => Promise<TranscriptSent>,
  t: Translate,
): EmailTranscriptView {
  const status = h('p', { class: 'fw-email-status', role: 'status' });
  const emailButton = button('fw-secondary-button', t('transcript.email'), () => void run());
  const element = h('div', { class: 'fw-email-transcript' }, emailButton, status);

  async function run(): Promise<void> {
    emailButton.disabled = true;
    status.textContent = t('transcript.emailSending');
    try {
      const sent = await send();
      status.textContent = t('transcript.emailSent', { to: sent.to });
      emailButton.disabled = sent.remaining === 0;
    } catch (error) {
      const code = errorCode(error);
      const final = code === 'no_email_on_record' || code === 'transcript_limit_reached';
      status.textContent = t(
        code === 'no_email_on_record'
          ? 'transcript.noEmail'
          : code === 'transcript_limit_reached'
            ? 'transcript.limit'
            : 'afterChat.failed',
      );
      emailButton.disabled = final;
    }
  }

  return {
    element,
    reset() {
      emailButton.disabled = false;
      status.textContent = '';
    },
  };
}
