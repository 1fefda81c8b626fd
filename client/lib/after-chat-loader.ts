/**
 * Loads webchat-after.js (the survey and "Email me this transcript": views,
 * styles) only for visitors who chat: the first load stays small. A classic
 * <script> through the widget's one loader (client/lib/script-loader.ts): no
 * CORS, and a strict CSP that allows the service's origin allows it. The bundle registers its
 * view factory with `registerAfterChat`.
 */
import type { AfterChat } from './after-chat';
import type { AgentNameMode } from './agent-name';
import type { AfterChatKey, Locale, Strings } from './i18n';
import { loadScript } from './script-loader';
import type { State } from './state';

export interface AfterChatView {
  element: HTMLElement;
  render(state: State): void;
}

export interface AfterChatOptions {
  survey: boolean;
  emailTranscript: boolean;
  locale: Locale;
  /** The site's replacements for any string, theirs included. */
  strings: Partial<Strings> & Partial<Record<AfterChatKey, string>>;
  /** How agents were named in the chat: the emailed transcript names them so too. */
  agentName: AgentNameMode;
  agentRoleLabel?: string;
}

export type AfterChatFactory = (after: AfterChat, options: AfterChatOptions) => AfterChatView;

let registered: AfterChatFactory | undefined;

/** Called (through webchat.js's registry) when webchat-after.js has run. */
export function registerAfterChat(factory: AfterChatFactory): void {
  registered = factory;
}

export async function loadAfterChat(url: string): Promise<AfterChatFactory> {
  await loadScript(url, () => registered !== undefined).catch(() => {
    throw new Error('webchat-after.js could not be loaded');
  });
  if (!registered) throw new Error('webchat-after.js did not start');
  return registered;
}
