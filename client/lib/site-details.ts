/**
 * What the widget tells the agent about a chat besides the form's answers,
 * sent with /start-chat (src/chat-details.ts stores it in the conversation's
 * attributes): the site's context (`FlexWebchat.setContext`), the page where
 * the chat started (unless `sendPage: false`) and the widget's language.
 *
 * `setContext` checks what the server would (a flat object of strings,
 * finite numbers and booleans, plain keys, at most 4 KB as JSON) and throws
 * a TypeError naming the problem, so a site's developer sees it at once
 * rather than as a refused start. The context goes with the next start: a
 * chat already running keeps the context it started with.
 *
 * @example
 *   const details = new SiteDetails({ sendPage: true, locale: 'en' });
 *   details.setContext({ plan: 'pro', cartTotal: 42.5 });
 *   const api = details.wrap(createApi(url)); // startChat now carries them
 */
import { LIMITS } from '../../src/limits';
import { cleanText } from '../../src/plain-text';
import type { Api } from './api';

export type ContextValue = string | number | boolean;

export interface PageInfo {
  url: string;
  title?: string;
}

export interface StartDetails {
  context?: Record<string, ContextValue>;
  page?: PageInfo;
  locale: string;
}

/** The context, checked; throws a TypeError the site's developer can act on. */
export function checkContext(value: unknown): Record<string, ContextValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('FlexWebchat.setContext: pass an object, e.g. { plan: "pro" }');
  }
  const context: Record<string, ContextValue> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (!LIMITS.preEngagementKeyPattern.test(key)) {
      throw new TypeError(
        `FlexWebchat.setContext: "${key.slice(0, 70)}" is not a plain name (a letter, then letters, digits, _, - or .; at most 64)`,
      );
    }
    if (item === undefined || item === null) continue; // dropped, as JSON would
    const flat =
      typeof item === 'string' ||
      typeof item === 'boolean' ||
      (typeof item === 'number' && Number.isFinite(item));
    if (!flat) {
      throw new TypeError(
        `FlexWebchat.setContext: "${key}" must be a string, a finite number or a boolean (no nesting)`,
      );
    }
    context[key] = typeof item === 'string' ? cleanText(item) : item;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(context)).length;
  if (bytes > LIMITS.contextMaxBytes) {
    throw new TypeError(`FlexWebchat.setContext: at most ${LIMITS.contextMaxBytes} bytes as JSON`);
  }
  return context;
}

/**
 * The page as the server accepts it: http(s) only; a URL too long loses its
 * query and fragment (or the page is left out); the title on one line, cut
 * to length. Never a reason for a start to fail.
 */
export function currentPage(href: string, title: string): PageInfo | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.href.length > LIMITS.pageUrlMaxLength) {
    url.search = '';
    url.hash = '';
  }
  if (url.href.length > LIMITS.pageUrlMaxLength) return undefined;
  const text = cleanText(title.replace(/\s+/g, ' ')).slice(0, LIMITS.pageTitleMaxLength).trim();
  return text ? { url: url.href, title: text } : { url: url.href };
}

export interface SiteDetailsOptions {
  sendPage: boolean;
  locale: string;
  /** Where the page is read from (tests); default: the document. */
  page?: () => PageInfo | undefined;
}

export class SiteDetails {
  private context: Record<string, ContextValue> = {};

  constructor(private readonly options: SiteDetailsOptions) {}

  /** Replaces the context for the next chat (see the module's comment). */
  setContext(value: unknown): void {
    this.context = checkContext(value);
  }

  /** What the next /start-chat carries, read at the moment it is sent. */
  current(): StartDetails {
    const read = this.options.page ?? (() => currentPage(location.href, document.title));
    const page = this.options.sendPage ? read() : undefined;
    return {
      ...(Object.keys(this.context).length > 0 && { context: { ...this.context } }),
      ...(page && { page }),
      locale: this.options.locale,
    };
  }

  /** The api with every start carrying the details. */
  wrap(api: Api): Api {
    return { ...api, startChat: (body) => api.startChat({ ...body, ...this.current() }) };
  }
}
