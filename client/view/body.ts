/**
 * The panel's body, which follows the chat's phase: the form (while
 * starting too), "Reconnecting…", or the conversation (one view from the
 * chat to its end). Built when first needed: at load there is only the
 * launcher. Takes the state, the action that led to it, and whether focus
 * may move (see focusIsOurs); passes them to what it shows.
 */
import type { WidgetConfig } from '../lib/config';
import type { ChatController } from '../lib/controller';
import type { Locale, Translate } from '../lib/i18n';
import type { Action, Phase, State } from '../lib/state';
import type { AfterChatView } from '../lib/after-chat-loader';
import type { CaptchaView } from './captcha';
import { createChatView, type ChatActions, type ChatView } from './chat';
import { h } from './dom';
import { createFormView, type FormView } from './form';
import { createReconnecting } from './reconnecting';

export interface BodyView {
  element: HTMLElement;
  render(state: State, action: Action | undefined, mayFocus: boolean): void;
  /** Moves focus to what the body shows; false when it shows nothing. */
  focus(): boolean;
  askToEnd(): void;
  /** Closes "End this chat?" if it is open; true when it was. */
  cancelEnd(): boolean;
}

export type BodyActions = ChatActions & Pick<ChatController, 'start' | 'retryNow' | 'abandon'>;

export function createBody(
  chat: BodyActions,
  config: WidgetConfig,
  t: Translate,
  locale: Locale,
  /** The CAPTCHA's view (view/captcha.ts), one for every form the panel builds. */
  captcha?: CaptchaView,
  /** The survey and emailed transcript under an ended chat (view/after-chat-slot.ts). */
  afterChat?: AfterChatView,
): BodyView {
  const element = h('div', { class: 'fw-body' });
  const reconnecting = createReconnecting(chat, t);
  let [form, conversation]: [FormView?, ChatView?] = [];
  let shownPhase: Phase | undefined;

  /** Swaps the body for the phase; moves focus only when `focus`. */
  function show(phase: Phase, focus: boolean): void {
    if (phase === shownPhase) return;
    const previous = shownPhase;
    shownPhase = phase;
    switch (phase) {
      case 'form':
        conversation = undefined;
        form ??= createFormView(config, t, (request) => void chat.start(request), captcha);
        element.replaceChildren(form.element);
        if (previous && focus) form.focus();
        return;
      case 'preparing':
      case 'starting':
        return; // the form says it (FormView.render)
      case 'resuming':
        conversation = undefined;
        element.replaceChildren(reconnecting.element);
        reconnecting.show();
        if (focus) reconnecting.focus();
        return;
      case 'chat':
      case 'ending':
      case 'ended':
        // One conversation view throughout.
        form = undefined;
        if (conversation) return;
        conversation = createChatView(chat, t, locale, afterChat);
        element.replaceChildren(conversation.element);
        if (focus) conversation.focus();
    }
  }

  return {
    element,
    render(state, action, mayFocus) {
      // Built when first needed: at load, only the launcher.
      if (state.open || shownPhase !== undefined) show(state.phase, state.open && mayFocus);
      form?.render(state, action, mayFocus);
      conversation?.render(state, action);
    },
    focus() {
      const shown = [form, conversation, reconnecting].find(
        (view) => view && element.contains(view.element),
      );
      shown?.focus();
      return shown !== undefined;
    },
    askToEnd: () => conversation?.askToEnd(),
    cancelEnd: () => !!conversation?.cancelEnd(),
  };
}
