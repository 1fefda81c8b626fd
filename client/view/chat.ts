/**
 * The conversation: the message list, who is typing, a problem line, and in
 * the bottom place one of the composer, "End this chat?" or the ended
 * panel. Takes the state and the action that led to it, and passes them to
 * its parts; they act through the controller.
 */
import type { ChatController } from '../lib/controller';
import { customerPart } from '../lib/customer-loader';
import type { Locale, Translate } from '../lib/i18n';
import type { Action, State } from '../lib/state';
import { createComposer } from './composer';
import { h } from './dom';
import { enableDrop } from './drop';
import { createEndConfirm } from './end-confirm';
import type { AfterChatView } from '../lib/after-chat-loader';
import { createEndedPanel } from './ended';
import { createTimeline } from './timeline';
import { createTypingLine } from './typing';

export interface ChatView {
  element: HTMLElement;
  render(state: State, action: Action | undefined): void;
  focus(): void;
  askToEnd(): void;
  /** Closes the "End this chat?" question if it is open; true when it was. */
  cancelEnd(): boolean;
}

export type ChatActions = Pick<
  ChatController,
  'loadOlder' | 'send' | 'sendFile' | 'typing' | 'end' | 'allMessages' | 'newChat'
>;

export function createChatView(
  chat: ChatActions,
  t: Translate,
  locale: Locale,
  afterChat?: AfterChatView,
): ChatView {
  const names = { agent: t('agent'), system: t('system'), you: t('you') };
  const problem = h('p', { class: 'fw-alert fw-composer-alert', role: 'alert', hidden: true });
  const showProblem = (text: string | undefined) => {
    problem.textContent = text ?? '';
    problem.hidden = !text;
  };
  const timeline = createTimeline(chat, t, locale, names);
  /** A signed-in customer's previous chat, and "your chat continues", above the messages. */
  let previous: { render(state: State): void } | undefined;
  const typing = createTypingLine(t);
  const composer = createComposer(chat, t, showProblem);
  const confirm = createEndConfirm(chat, t, hideConfirm, () => showProblem(t('error.generic')));
  const ended = createEndedPanel(chat, t, locale, names, afterChat);
  const root = h(
    'div',
    { class: 'fw-chat' },
    timeline.element,
    typing.element,
    problem,
    composer.element,
  );
  enableDrop(root, t, () => !composer.element.hidden, composer.take);
  root.append(confirm.element, ended.element);

  function hideConfirm(): void {
    confirm.element.hidden = true;
    composer.element.hidden = false; // with what was typed still there
    composer.focus();
  }

  return {
    element: root,
    render(state, action) {
      timeline.render(state, action);
      previous ??= customerPart()?.previousChat(timeline.element);
      previous?.render(state);
      typing.render(state);
      composer.render(state);
      confirm.render(state);
      if (state.phase === 'ended') confirm.element.hidden = true;
      composer.element.hidden = state.phase === 'ended' || !confirm.element.hidden;
      ended.render(state, action);
    },
    focus() {
      (!confirm.element.hidden ? confirm : composer.element.hidden ? ended : composer).focus();
    },
    askToEnd() {
      confirm.element.hidden = false;
      composer.element.hidden = true;
      confirm.focus();
    },
    cancelEnd: () => confirm.cancel(),
  };
}
