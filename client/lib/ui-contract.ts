/**
 * What webchat.js (the shell: client/lib/shell.ts) gives webchat-ui.js (the
 * panel, the form, the chat: client/lib/ui.ts) when it has loaded, and what it
 * gets back. Types only: the two are separate scripts, and nothing but these
 * objects passes between them.
 */
import type { WidgetConfig } from './config';
import type { ContextValue } from './site-details';
import type { SiteEvents } from './events';
import type { Registry } from './registry';
import type { LoadScript } from './script-loader';
import type { LauncherView } from '../view/launcher';
import type { GreetingView } from '../view/greeting';

export interface ShellParts {
  config: WidgetConfig;
  shadow: ShadowRoot;
  /** `.fw-root`: the greeting and the launcher are in it; the panel goes first. */
  root: HTMLElement;
  launcher: LauncherView;
  greeting: GreetingView;
  events: SiteEvents;
  registry: Registry;
  loadScript: LoadScript;
  /** The panel was opened before webchat-ui.js was here (the site heard `open` already). */
  opened: boolean;
  /** The context set with FlexWebchat.setContext so far (checked). */
  context: Record<string, ContextValue>;
  /** The tab's storage, or the browser's when the site opted in; undefined when blocked. */
  storage: (persist: 'tab' | 'browser') => Storage | undefined;
}

/** The public API's calls, once the UI is here. */
export interface UiHandle {
  open(): void;
  close(): void;
  logout(options?: { endChat?: boolean }): Promise<void>;
  setContext(context: Record<string, ContextValue>): void;
}

export type UiFactory = (parts: ShellParts) => UiHandle;
