/**
 * The widget's events for the site (`FlexWebchat.on(name, fn)` / `off`), so a
 * site can wire the chat into its analytics. No DOM here: `followChat` turns
 * the controller's states into events, `SiteEvents` delivers them.
 *
 *   ready         {}                            the widget is on the page
 *   open / close  {}                            the panel opened / closed
 *   chatStarted   {conversationSid, resumed}    connected to a chat (resumed: after a reload)
 *   message       {from, index, hasMedia, text?}  a new message in the chat (not history)
 *   unreadChange  {count}                       the launcher's unread count changed
 *   chatEnded     {conversationSid, endedBy}    the chat ended ('customer', 'other', 'expired')
 *
 * `message` carries who wrote it (`customer`, `agent` or `system`), not what:
 * analytics counts messages, and a page's other scripts need not read the
 * chat. A site that wants the text says so (`messageText: true`).
 *
 * Delivery is in order and asynchronous (a microtask after the change), so a
 * listener that calls back into the widget (`FlexWebchat.close()`) never runs
 * in the middle of an update, and a listener that throws is reported on the
 * console and stops nothing: not the widget, not the other listeners. `ready`
 * is remembered: a listener added after it fired still hears it.
 */
import type { State, Action } from './state';
import { unreadCount } from './selectors';

export interface SiteEventMap {
  ready: Record<string, never>;
  open: Record<string, never>;
  close: Record<string, never>;
  chatStarted: { conversationSid: string; resumed: boolean };
  message: {
    from: 'customer' | 'agent' | 'system';
    index: number;
    hasMedia: boolean;
    text?: string;
  };
  unreadChange: { count: number };
  chatEnded: { conversationSid: string | undefined; endedBy: 'customer' | 'other' | 'expired' };
}

export type SiteEventName = keyof SiteEventMap;
export type SiteListener<E extends SiteEventName> = (detail: SiteEventMap[E]) => void;

export const SITE_EVENTS: readonly SiteEventName[] = [
  'ready',
  'open',
  'close',
  'chatStarted',
  'message',
  'unreadChange',
  'chatEnded',
];

const isEventName = (name: unknown): name is SiteEventName =>
  (SITE_EVENTS as readonly unknown[]).includes(name);

export class SiteEvents {
  private readonly listeners = new Map<SiteEventName, Set<(detail: never) => void>>();
  private readyFired = false;

  constructor(private readonly report: (message: string, error: unknown) => void) {}

  on<E extends SiteEventName>(name: E, listener: SiteListener<E>): void {
    if (!isEventName(name) || typeof listener !== 'function') {
      throw new TypeError(`FlexWebchat.on: unknown event "${String(name)}" or not a function`);
    }
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    if (name === 'ready' && this.readyFired) this.deliver([listener], name, {});
  }

  off<E extends SiteEventName>(name: E, listener: SiteListener<E>): void {
    this.listeners.get(name)?.delete(listener);
  }

  emit<E extends SiteEventName>(name: E, detail: SiteEventMap[E]): void {
    if (name === 'ready') this.readyFired = true;
    this.deliver([...(this.listeners.get(name) ?? [])], name, detail);
  }

  private deliver(listeners: ((detail: never) => void)[], name: string, detail: unknown): void {
    if (listeners.length === 0) return;
    queueMicrotask(() => {
      for (const listener of listeners) {
        try {
          (listener as (detail: unknown) => void)(detail);
        } catch (error) {
          this.report(`FlexWebchat: a "${name}" listener threw`, error);
        }
      }
    });
  }
}

export interface FollowOptions {
  /** Include each message's text in `message` events (default: no). */
  messageText?: boolean;
}

/**
 * Derives the events from each new state and the action that led to it.
 * Returns the listener to give the controller's `subscribe`.
 */
export function followChat(
  events: SiteEvents,
  initial: State,
  options: FollowOptions = {},
): (state: State, action: Action) => void {
  let previous = initial;
  /** What the launcher shows: nothing while the panel is open. */
  const launcherCount = (state: State) => (state.open ? 0 : unreadCount(state));
  let unread = launcherCount(initial);
  /** Whether the chat being connected came back after a reload. */
  let resumed = false;
  let started: string | undefined;
  return (state, action) => {
    const before = previous;
    previous = state;
    if (state.open !== before.open) events.emit(state.open ? 'open' : 'close', {});
    if (action.type === 'phase' && action.phase === 'resuming') resumed = true;
    if (action.type === 'phase' && action.phase === 'starting') resumed = false;
    if (state.phase === 'chat' && state.conversationSid && started !== state.conversationSid) {
      started = state.conversationSid;
      events.emit('chatStarted', { conversationSid: state.conversationSid, resumed });
    }
    if (action.type === 'messageAdded' && !before.messages.has(action.message.index)) {
      const { message } = action;
      const from =
        message.author === state.identity
          ? 'customer'
          : message.author === 'system'
            ? 'system'
            : 'agent';
      events.emit('message', {
        from,
        index: message.index,
        hasMedia: message.media.length > 0,
        ...(options.messageText && { text: message.body ?? '' }),
      });
    }
    const count = launcherCount(state);
    if (count !== unread) {
      unread = count;
      events.emit('unreadChange', { count });
    }
    if (state.phase === 'ended' && before.phase !== 'ended') {
      events.emit('chatEnded', {
        conversationSid: before.conversationSid ?? state.conversationSid,
        endedBy: state.endedBy ?? 'other',
      });
    }
    if (action.type === 'reset') started = undefined;
  };
}
