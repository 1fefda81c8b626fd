/**
 * The widget's frame, inside a shadow root so the host page's styles cannot
 * reach it: the launcher (with the unread count; webchat.js made it), the chat panel (a labelled
 * dialog: non-modal beside the page, modal when it fills a phone's screen),
 * the connection banner, and a polite live region that announces new
 * messages from others. The panel's body follows the chat's phase: form,
 * reconnecting, conversation. mountWidget returns the widget's render: give
 * it every state, with the action that led to it (the controller's
 * subscribe does). Nothing here reads the controller's state; it only calls
 * the controller's methods.
 *
 * Opening hours (optional `availability`: the latest /availability answer): a
 * note above the body, and `data-hours` on the root for the stylesheet
 * (client/view/hours.ts). A service that is not configured (optional
 * `unavailable`): said instead of the form as soon as the panel opens
 * (client/view/unavailable.ts).
 *
 * Keyboard: everything is a native button or field; opening the panel moves
 * focus into it, Escape closes it (or first dismisses "End this chat?") and
 * returns focus to the launcher; full screen, Tab stays inside the panel.
 */
import type { Captcha } from '../lib/captcha';
import type { WidgetConfig } from '../lib/config';
import type { Availability } from '../lib/availability';
import type { ChatController } from '../lib/controller';
import type { Locale, Translate } from '../lib/i18n';
import type { AfterChatView } from '../lib/after-chat-loader';
import { unreadCount } from '../lib/selectors';
import type { Action, StartError, State } from '../lib/state';
import { createAnnouncer } from './announcer';
import { createBanner } from './banner';
import { createBody, type BodyActions } from './body';
import { createCaptchaView } from './captcha';
import { focusIsOurs } from './dom';
import { createHeader } from './header';
import { createHoursNote } from './hours';
import type { LauncherView } from './launcher';
import { createNotifyToggle } from './notify-toggle';
import type { lazyNotifier } from '../lib/notify-host';
import type { GreetingView } from './greeting';
import { createPanel } from './panel';
import { createUnavailableNote } from './unavailable';

export type WidgetActions = BodyActions & Pick<ChatController, 'open' | 'close'>;

/** What the widget shows when the service has it: a CAPTCHA, the opening hours. */
export interface WidgetExtras {
  captcha?: Captcha | undefined;
  /** The latest /availability answer, if any (client/lib/availability.ts). */
  availability?: () => Availability | undefined;
  /** The survey and emailed transcript under an ended chat (view/after-chat-slot.ts). */
  afterChat?: AfterChatView | undefined;
  /** Unread alerts (client/lib/notify.ts): "Notify me" in the panel when the site opted in. */
  notifier?: ReturnType<typeof lazyNotifier> | undefined;
  /** The proactive greeting by the launcher (client/view/greeting.ts). */
  greeting?: GreetingView | undefined;
  /** Why no chat can start, known before any start (client/lib/unavailable.ts). */
  unavailable?: () => StartError | undefined;
}

/** What webchat.js built already (client/lib/shell.ts): the root, with the launcher in it. */
export interface WidgetFrame {
  shadow: ShadowRoot;
  root: HTMLElement;
  launcher: LauncherView;
}

export function mountWidget(
  { shadow, root: rootEl, launcher }: WidgetFrame,
  chat: WidgetActions,
  config: WidgetConfig,
  t: Translate,
  locale: Locale,
  {
    captcha,
    availability = () => undefined,
    afterChat,
    notifier,
    greeting,
    unavailable = () => undefined,
  }: WidgetExtras = {},
): (state: State, action?: Action) => void {
  // One CAPTCHA view for every form: the provider renders once per page.
  const captchaView = captcha && createCaptchaView(captcha, shadow.host, t);
  const body = createBody(chat, config, t, locale, captchaView, afterChat);
  const header = createHeader(chat, config.title ?? t('title'), t, () => body.askToEnd());
  const banner = createBanner(t);
  const hours = createHoursNote(t, locale);
  const notify = notifier?.available ? createNotifyToggle(notifier, t) : undefined;
  const refusal = createUnavailableNote(t);
  const parts = [header.element, banner.element, hours.element, refusal.element, body.element];
  if (notify) parts.splice(4, 0, notify.element);
  // Escape: first dismisses "End this chat?", else closes.
  const panel = createPanel(shadow, parts, () => body.cancelEnd() || chat.close());
  const live = createAnnouncer(t);
  rootEl.prepend(panel.element);
  rootEl.append(live.element);

  return (state, action) => {
    const wasOpen = !panel.element.hidden;
    const focusWasInside = panel.element.contains(shadow.activeElement);
    const mayFocus = focusIsOurs(shadow);
    panel.render(state);
    rootEl.classList.toggle('fw-open', state.open);
    const hoursMode = hours.render(state, availability());
    rootEl.dataset.hours = hoursMode;
    const isUnavailable = refusal.render(state, unavailable());
    rootEl.toggleAttribute('data-unavailable', isUnavailable);
    // Closed or unavailable: the stylesheet hides the form; focus in it would be lost with it.
    const formHidden = hoursMode === 'closed' || hoursMode === 'hide' || isUnavailable;
    if (formHidden && body.element.contains(shadow.activeElement)) header.focus();
    launcher.render({ open: state.open, unread: unreadCount(state) });
    body.render(state, action, mayFocus);
    header.render(state);
    banner.render(state);
    notify?.render(state);
    greeting?.render(state);
    // Full screen the panel is modal, and a screen reader hears only what is in it.
    live.render(state, action, state.open && panel.isModal() ? panel.element : rootEl);
    if (state.open && !wasOpen && (formHidden || !body.focus())) header.focus();
    // Closed (by the button, Escape or FlexWebchat.close()) with focus inside: don't strand it.
    if (!state.open && wasOpen && focusWasInside) launcher.element.focus();
  };
}
