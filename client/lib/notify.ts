/**
 * Unread alerts while the customer is away from the chat (the panel closed,
 * or the tab hidden), each opted into by the site: the unread count in the
 * page title (`notifyTitle`), a short chime (`notifySound`), and a browser
 * notification (`notifyBrowser`) once the customer turns them on with
 * "Notify me" in the panel: permission is asked only from that click, never
 * on load. The launcher's own unread badge is always there (launcher.ts).
 *
 * The decisions (`awayCount`, `alertFor`, `titled`) are pure and unit-tested;
 * `Notifier` applies them with the browser's APIs (document.title, WebAudio,
 * Notification), never the widget's DOM. The chime is synthesised with
 * WebAudio: nothing is fetched, so no CSP `media-src` is needed.
 *
 * This module is in webchat-sdk.js, not the first load: alerts are about
 * messages, which come only once the SDK is here. webchat.js holds a stand-in
 * (notify-host.ts) that the SDK bundle's `Notifier` takes over.
 */
import type { ChatMessage } from './chat-client';
import type { WidgetConfig } from './config';
import type { Translate } from './i18n';
import { agentText } from './markdown';
import { richText } from './markdown-host';
import { unreadCount, type Action, type State } from './state';

/** Unread messages to alert about: none while the customer is looking at the chat. */
export function awayCount(state: State, visible: boolean): number {
  return state.open && visible ? 0 : unreadCount(state);
}

/** The message to alert about, if `action` brought a new one from someone else while away. */
export function alertFor(
  state: State,
  action: Action | undefined,
  visible: boolean,
  alerted: number,
): ChatMessage | undefined {
  if (action?.type !== 'messageAdded') return undefined;
  const { message } = action;
  if (message.author === state.identity || (state.open && visible)) return undefined;
  // Read already, or alerted already (the same message delivered twice).
  return message.index > Math.max(state.readIndex, alerted) ? message : undefined;
}

/** The page's title with the unread count in front: "(2) Acme shop". */
export function titled(base: string, count: number): string {
  return count > 0 ? `(${count}) ${base}` : base;
}

const STORAGE_KEY = 'flex-webchat:notify';

type Options = Pick<WidgetConfig, 'notifyTitle' | 'notifySound' | 'notifyBrowser'>;

export class Notifier {
  /** The page's own title, and the one we last set (the page may change its own meanwhile). */
  private base = '';
  private shown?: string;
  private alerted = -1;
  private audio?: AudioContext;

  constructor(
    private readonly options: Options,
    private readonly t: Translate,
    private readonly openChat: () => void,
    private readonly storage: Storage | undefined,
  ) {}

  /** Give it every state (the controller's subscribe does), and on visibility changes. */
  update(state: State, action?: Action): void {
    const visible = document.visibilityState !== 'hidden';
    if (this.options.notifyTitle) this.title(awayCount(state, visible));
    const message = alertFor(state, action, visible, this.alerted);
    if (!message) return;
    this.alerted = message.index;
    if (this.options.notifySound) this.chime();
    if (this.enabled()) this.notify(state, message);
  }

  private title(count: number): void {
    const current = document.title;
    if (current !== this.shown) this.base = current; // first time, or the page retitled itself
    if (count === 0 && this.shown === undefined) return;
    const next = titled(this.base, count);
    document.title = next;
    this.shown = count > 0 ? next : undefined;
  }

  /**
   * Browsers start audio only after a gesture on the page: a context made
   * before one stays suspended (that chime is skipped, not played late).
   * Call on the customer's clicks and keys in the widget.
   */
  unlockAudio(): void {
    if (!this.options.notifySound) return;
    this.audio ??= newAudioContext();
    if (this.audio?.state === 'suspended') void this.audio.resume().catch(() => undefined);
  }

  private chime(): void {
    this.audio ??= newAudioContext();
    const audio = this.audio;
    if (!audio) return;
    if (audio.state !== 'running') return void audio.resume().catch(() => undefined);
    // Two soft sine notes (E6, then A6), a fifth of a second in all.
    const start = audio.currentTime;
    [1318.5, 1760].forEach((frequency, i) => {
      const at = start + i * 0.09;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.12);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.13);
    });
  }

  /* ---------------------------------------------- browser notifications */

  /** Whether "Notify me" is offered: the site opted in and the browser has notifications. */
  get available(): boolean {
    return this.options.notifyBrowser && typeof Notification === 'function';
  }

  get permission(): NotificationPermission {
    return this.available ? Notification.permission : 'denied';
  }

  /** On: the customer turned them on and the browser allows them. */
  enabled(): boolean {
    return this.permission === 'granted' && this.storage?.getItem(STORAGE_KEY) === 'on';
  }

  /** "Notify me" clicked: asks the browser (only now, from the click) the first time. */
  async toggle(): Promise<void> {
    if (!this.available) return;
    if (this.enabled()) return this.remember(false);
    const answer =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    this.remember(answer === 'granted');
  }

  private remember(on: boolean): void {
    try {
      if (on) this.storage?.setItem(STORAGE_KEY, 'on');
      else this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // storage full or blocked: on for this page only is not possible; stays off
    }
  }

  private notify(state: State, message: ChatMessage): void {
    const name = (message.author && state.names.get(message.author)) || this.t('agent');
    const [file] = message.media;
    const body = file
      ? this.t('notify.file', { file: file.filename ?? '' })
      : richText(agentText(message.body ?? ''));
    try {
      const shown = new Notification(this.t('notify.title', { name }), {
        body: body.length > 200 ? `${body.slice(0, 199)}…` : body,
        tag: `flex-webchat-${state.conversationSid ?? ''}`,
      });
      shown.onclick = () => {
        window.focus();
        this.openChat();
        shown.close();
      };
    } catch {
      // Chrome on Android allows notifications only from a service worker.
    }
  }
}

function newAudioContext(): AudioContext | undefined {
  const Context =
    window.AudioContext ??
    (window as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  try {
    return Context ? new Context() : undefined;
  } catch {
    return undefined;
  }
}
