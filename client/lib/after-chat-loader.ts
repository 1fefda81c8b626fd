/**
 * Loads webchat-after.js (the survey and "Email me this transcript": views,
 * styles) only for visitors who chat: the first load stays small. A classic
 * <script>, like the SDK's (client/lib/sdk-loader.ts): no CORS, and a strict
 * CSP that allows the service's origin allows it. The bundle registers its
 * view factory with `registerAfterChat`.
 */
import type { AfterChat } from './after-chat';
import type { AgentNameMode } from './agent-name';
import type { AfterChatKey, Locale, Strings } from './i18n';
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

let pending: Promise<AfterChatFactory> | undefined;
let resolveRegistration: ((factory: AfterChatFactory) => void) | undefined;

/** Called by webchat-after.js when it has run. */
export function registerAfterChat(factory: AfterChatFactory): void {
  const resolve = resolveRegistration;
  resolveRegistration = undefined;
  if (resolve) resolve(factory);
  else pending = Promise.resolve(factory);
}

export function loadAfterChat(url: string, doc: Document = document): Promise<AfterChatFactory> {
  pending ??= new Promise<AfterChatFactory>((resolve, reject) => {
    resolveRegistration = resolve;
    const script = doc.createElement('script');
    script.src = url;
    script.async = true;
    script.onerror = () => {
      pending = undefined; // a later chat may try again
      resolveRegistration = undefined;
      script.remove();
      reject(new Error('webchat-after.js could not be loaded'));
    };
    doc.head.append(script);
  });
  return pending;
}
