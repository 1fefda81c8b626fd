/**
 * The widget's frame, inside a shadow root so the host page's styles cannot
 * reach it: the launcher (with the unread count), the chat panel (a labelled
 * dialog: non-modal beside the page, modal when it fills a phone's screen),
 * the connection banner, and a polite live region that announces new
 * messages from others. The panel's body follows the chat's phase: form,
 * reconnecting, conversation.
 *
 * Keyboard: everything is a native button or field; opening the panel moves
 * focus into it, Escape closes it (or first dismisses "End this chat?") and
 * returns focus to the launcher; full screen, Tab stays inside the panel.
 */
import type { WidgetConfig } from '../lib/config';
import type { ChatController } from '../lib/controller';
import { unreadLabel, type Locale, type Translate } from '../lib/i18n';
import { banner, unreadCount, type Action, type State } from '../lib/state';
import { createChatView, type ChatView } from './chat';
import { focusIsOurs, h, icon } from './dom';
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
  // Entries are appended (not replaced), so two quick messages are both read.
  const live = h('div', {
    class: 'fw-sr-only',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
  });
  const tryAgain = h('button', { type: 'button', class: 'fw-secondary-button' }, t('tryAgain'));
  const giveUp = h('button', { type: 'button', class: 'fw-link-button' }, t('newChat'));
  tryAgain.addEventListener('click', () => chat.retryNow());
  giveUp.addEventListener('click', () => {
    // Ending the old chat can take a while: no second click, no retry meanwhile.
    tryAgain.disabled = giveUp.disabled = true;
    void chat.abandon();
  });
  const reconnectingText = h('p', { role: 'status' });
  const reconnecting = h(
    'div',
    { class: 'fw-progress' },
    reconnectingText,
    h('div', { class: 'fw-actions' }, tryAgain, giveUp),
  );

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

  // Same query as the stylesheet's full-screen rule.
  const fullScreen = window.matchMedia('(max-width: 480px), (max-height: 500px)');
  const syncModal = () => panel.setAttribute('aria-modal', String(fullScreen.matches));
  fullScreen.addEventListener('change', syncModal);
  syncModal();

  launcher.addEventListener('click', () => (chat.state.open ? chat.close() : chat.open()));
  closeButton.addEventListener('click', () => chat.close());
  endButton.addEventListener('click', () => conversation?.askToEnd());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      if (!conversation?.cancelEnd()) chat.close();
    } else if (event.key === 'Tab' && fullScreen.matches) {
      trapTab(event);
    }
  });

  /**
   * Full screen, the page behind is out of reach: Tab wraps around the
   * panel, from its ends or from anything not in the tab order (the heading).
   */
  function trapTab(event: KeyboardEvent): void {
    const focusable = [
      ...panel.querySelectorAll<HTMLElement>(
        'button:not([disabled]), input:not([disabled]):not([tabindex="-1"]), textarea:not([disabled]), a[href], [tabindex="0"]',
      ),
    ].filter((el) => el.offsetParent !== null);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    const at = focusable.indexOf(shadow.activeElement as HTMLElement);
    if (event.shiftKey && at <= 0) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (at === -1 || at === focusable.length - 1)) {
      event.preventDefault();
      first.focus();
    }
  }

  function focusInside(): void {
    if (form && body.contains(form.element)) form.focus();
    else if (conversation && body.contains(conversation.element)) conversation.focus();
    else if (body.contains(reconnecting)) tryAgain.focus();
    else heading.focus();
  }

  /** Swaps the panel's body for the phase; moves focus only when it may (see focusIsOurs). */
  function showBody(state: State, mayFocus: boolean): void {
    const phase = state.phase;
    if (phase === shownPhase) return;
    const previous = shownPhase;
    shownPhase = phase;
    const focus = state.open && mayFocus;
    if (phase === 'form') {
      conversation = undefined;
      form ??= createFormView(config, t, (request) => void chat.start(request));
      form.setBusy(false);
      body.replaceChildren(form.element);
      if (previous && focus) form.focus();
    } else if (phase === 'starting') {
      form?.setBusy(true);
    } else if (phase === 'resuming') {
      conversation = undefined;
      tryAgain.disabled = giveUp.disabled = false;
      body.replaceChildren(reconnecting);
      // Set once it is in the page, so the status is announced.
      reconnectingText.textContent = '';
      setTimeout(() => (reconnectingText.textContent = t('resuming')), 50);
      if (focus) tryAgain.focus();
    } else {
      // chat, ending, ended: one conversation view throughout.
      form = undefined;
      if (!conversation) {
        conversation = createChatView(chat, t, locale);
        body.replaceChildren(conversation.element);
        if (focus) conversation.focus();
      }
    }
  }

  function announce(state: State, action: Action | undefined): void {
    if (action?.type !== 'messageAdded' || action.message.author === state.identity) return;
    const author = action.message.author;
    const name =
      (author && state.names.get(author)) ?? (author === 'system' ? t('system') : t('agent'));
    const [file] = action.message.media;
    live.append(
      h(
        'p',
        {},
        file
          ? t('live.file', { name, file: file.filename ?? '' })
          : t('live.message', { name, text: action.message.body ?? '' }),
      ),
    );
    while (live.childElementCount > 3) live.firstElementChild?.remove();
  }

  function render(state: State, action?: Action): void {
    const wasOpen = !panel.hidden;
    const focusWasInside = panel.contains(shadow.activeElement);
    const mayFocus = focusIsOurs(shadow);
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
    if (state.open || shownPhase !== undefined) showBody(state, mayFocus);
    if (state.phase === 'form' && action?.type === 'phase') {
      form?.showStartError(state.startError);
      if (state.startError && state.open && mayFocus) form?.focus();
    }
    conversation?.render(state, action);
    endButton.hidden = state.phase !== 'chat';

    const which = banner(state);
    bannerLine.hidden = which === undefined;
    bannerLine.textContent = which ? t(`banner.${which}`) : '';
    bannerLine.dataset.kind = which ?? '';

    // Full screen the panel is modal, and a screen reader hears only what is in it.
    const liveHome = state.open && fullScreen.matches ? panel : rootEl;
    if (live.parentNode !== liveHome) liveHome.append(live);
    announce(state, action);
    if (state.open && !wasOpen) focusInside();
    // Closed (by the button, Escape or FlexWebchat.close()) with focus inside: don't strand it.
    if (!state.open && wasOpen && focusWasInside) launcher.focus();
  }

  chat.subscribe(render);
  render(chat.state);
}
