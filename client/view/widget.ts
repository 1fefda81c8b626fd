/**
 * The widget's frame, inside a shadow root so the host page's styles cannot
 * reach it: the launcher (with the unread count), the chat panel (a labelled,
 * non-modal dialog; full screen on phones), the connection banner, and a
 * polite live region that announces new messages from others. The panel's
 * body follows the chat's phase: form, progress, conversation.
 *
 * Keyboard: everything is a native button or field; opening the panel moves
 * focus into it, Escape closes it and returns focus to the launcher.
 */
import type { WidgetConfig } from '../lib/config';
import type { ChatController } from '../lib/controller';
import { unreadLabel, type Locale, type Translate } from '../lib/i18n';
import { banner, unreadCount, type Action, type State } from '../lib/state';
import { createChatView, type ChatView } from './chat';
import { h, icon } from './dom';
import { createFormView, type FormView } from './form';

export function mountWidget(
  shadow: ShadowRoot,
  chat: ChatController,
  config: WidgetConfig,
  t: Translate,
  locale: Locale,
): void {
  const title = config.title ?? t('title');

  const badge = h('span', { class: 'fw-badge', 'aria-hidden': 'true', hidden: true });
  const launcher = h(
    'button',
    { type: 'button', class: 'fw-launcher', 'aria-controls': 'fw-panel', 'aria-expanded': 'false' },
    icon('chat'),
    badge,
  );

  const endButton = h(
    'button',
    { type: 'button', class: 'fw-header-button', hidden: true },
    t('endChat'),
  );
  const closeButton = h(
    'button',
    { type: 'button', class: 'fw-icon-button fw-header-close', 'aria-label': t('closeChat') },
    icon('close'),
  );
  const heading = h('h2', { id: 'fw-title', tabindex: -1 }, title);
  const bannerLine = h('p', { class: 'fw-banner', role: 'status', hidden: true });
  const body = h('div', { class: 'fw-body' });
  const panel = h(
    'section',
    {
      id: 'fw-panel',
      class: 'fw-panel',
      role: 'dialog',
      'aria-labelledby': 'fw-title',
      hidden: true,
    },
    h(
      'header',
      { class: 'fw-header' },
      heading,
      h('div', { class: 'fw-header-actions' }, endButton, closeButton),
    ),
    bannerLine,
    body,
  );
  const live = h('div', { class: 'fw-sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const status = h('p', { class: 'fw-progress', role: 'status' });

  const rootEl = h(
    'div',
    { class: 'fw-root', 'data-position': config.position },
    panel,
    launcher,
    live,
  );
  shadow.append(rootEl);

  let form: FormView | undefined;
  let conversation: ChatView | undefined;
  let shownPhase: State['phase'] | undefined;

  const openPanel = () => chat.open();
  const closePanel = () => {
    chat.close();
    launcher.focus();
  };
  launcher.addEventListener('click', () => (chat.state.open ? closePanel() : openPanel()));
  closeButton.addEventListener('click', closePanel);
  endButton.addEventListener('click', () => conversation?.askToEnd());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      closePanel();
    }
  });

  function focusInside(): void {
    if (form && body.contains(form.element)) form.focus();
    else if (conversation && body.contains(conversation.element)) conversation.focus();
    else heading.focus();
  }

  function showBody(state: State): void {
    const phase = state.phase;
    if (phase === shownPhase) return;
    const previous = shownPhase;
    shownPhase = phase;
    if (phase === 'form') {
      conversation = undefined;
      form ??= createFormView(config, t, (request) => void chat.start(request));
      form.setBusy(false);
      body.replaceChildren(form.element);
      if (previous && state.open) form.focus();
    } else if (phase === 'starting') {
      form?.setBusy(true);
    } else if (phase === 'resuming') {
      status.textContent = t('resuming');
      body.replaceChildren(status);
    } else {
      // chat, ending, ended: one conversation view throughout.
      form = undefined;
      if (!conversation) {
        conversation = createChatView(chat, t, locale);
        body.replaceChildren(conversation.element);
        if (state.open) conversation.focus();
      }
    }
  }

  function announce(state: State, action: Action | undefined): void {
    if (action?.type !== 'messageAdded' || action.message.author === state.identity) return;
    const name =
      [...state.participants.values()].find((p) => p.identity === action.message.author)?.name ??
      (action.message.author === 'system' ? t('system') : t('agent'));
    const [file] = action.message.media;
    live.textContent = file
      ? t('live.file', { name, file: file.filename ?? '' })
      : t('live.message', { name, text: action.message.body ?? '' });
  }

  function render(state: State, action?: Action): void {
    const wasOpen = !panel.hidden;
    panel.hidden = !state.open;
    rootEl.classList.toggle('fw-open', state.open);
    launcher.setAttribute('aria-expanded', String(state.open));
    const unread = state.open ? 0 : unreadCount(state);
    badge.hidden = unread === 0;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    launcher.setAttribute(
      'aria-label',
      unread > 0
        ? `${t('openChat')}, ${unreadLabel(t, locale, unread)}`
        : state.open
          ? t('closeChat')
          : t('openChat'),
    );

    // The panel's body is built when first needed: at load, only the launcher.
    if (state.open || shownPhase !== undefined) showBody(state);
    if (state.phase === 'form' && action?.type === 'phase') {
      form?.showStartError(state.startError);
      if (state.startError && state.open) form?.focus();
    }
    conversation?.render(state, action);
    endButton.hidden = state.phase !== 'chat';

    const which = banner(state);
    bannerLine.hidden = which === undefined;
    bannerLine.textContent = which ? t(`banner.${which}`) : '';
    bannerLine.dataset.kind = which ?? '';

    announce(state, action);
    if (state.open && !wasOpen) focusInside();
  }

  chat.subscribe(render);
  render(chat.state);
}
