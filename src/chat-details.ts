/**
 * What the site tells the agent about a chat, beside the customer's own
 * answers (which stay in `pre_engagement_data`): the site's context
 * (`FlexWebchat.setContext`: page, cart, plan), the page where the chat
 * started, and the widget's language (which the emailed transcript uses).
 * Stored in the conversation's attributes:
 *
 *   {"context": {"plan": "pro", "cartTotal": 42.5},
 *    "page": {"url": "https://shop.example/checkout", "title": "Checkout"},
 *    "locale": "es"}
 *
 * Validated like pre-engagement data: `context` is a flat object of strings,
 * numbers and booleans with plain keys, at most 4 KB as JSON; a page URL must
 * be http(s) (nothing that could run if an agent's tool made it a link).
 *
 * Conversations this service creates get these keys with their attributes
 * (no extra request); those Flex creates (address, flex-flow modes) get them
 * merged in right after (`mergeChatDetails`: read, then write, 2 round trips).
 */
import type { Twilio } from 'twilio';
import { parseAttributes } from './chat-attributes';
import type { Config } from './config';
import { optionalFlatObject, type FieldParser, type FlatObject } from './fields';
import { LIMITS } from './limits';
import { log } from './log';
import { cleanText, isSingleLine } from './plain-text';
import { upstreamStatus } from './twilio-errors';

export interface PageInfo {
  url: string;
  title?: string;
}

export interface ChatDetails {
  context?: FlatObject;
  page?: PageInfo;
  /** A BCP 47 language tag, as the widget shows the chat (`en`, `es`, `es-MX`). */
  locale?: string;
}

export const optionalContext: FieldParser<FlatObject> = optionalFlatObject({
  maxBytes: LIMITS.contextMaxBytes,
  keyPattern: LIMITS.preEngagementKeyPattern,
});

const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export const optionalLocale: FieldParser<string | undefined> = (value) => {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string' || value.length > LIMITS.localeMaxLength || !LOCALE.test(value)) {
    return { ok: false, problem: 'must be a language tag such as "en" or "es-MX"' };
  }
  return { ok: true, value };
};

const PAGE_PROBLEM = `must be {url, title?}: an http(s) URL of at most ${LIMITS.pageUrlMaxLength} characters, and a single-line title of at most ${LIMITS.pageTitleMaxLength}`;

function pageUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > LIMITS.pageUrlMaxLength) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export const optionalPage: FieldParser<PageInfo | undefined> = (value) => {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  const fail = { ok: false as const, problem: PAGE_PROBLEM };
  if (typeof value !== 'object' || Array.isArray(value)) return fail;
  const { url, title, ...rest } = value as Record<string, unknown>;
  const href = pageUrl(url);
  if (!href || Object.keys(rest).length > 0) return fail;
  if (title === undefined || title === null) return { ok: true, value: { url: href } };
  if (typeof title !== 'string') return fail;
  const text = cleanText(title);
  if (text.length > LIMITS.pageTitleMaxLength || !isSingleLine(text)) return fail;
  return { ok: true, value: text ? { url: href, title: text } : { url: href } };
};

/** The attributes' keys for these details: only what is there (an empty context is left out). */
export function detailsAttributes(details: ChatDetails | undefined): Record<string, unknown> {
  if (!details) return {};
  return {
    ...(details.context && Object.keys(details.context).length > 0 && { context: details.context }),
    ...(details.page && { page: details.page }),
    ...(details.locale && { locale: details.locale }),
  };
}

/**
 * Merges the details into the attributes of a conversation somebody else
 * created (Flex, in address and flex-flow modes), keeping what is there.
 * Best effort: the chat works without them, so a failure is logged
 * (`chat_details_not_saved`) and the start goes on. Hazard: a read, then a
 * write; a write to the attributes by Flex in between would be lost. Flex
 * writes them at creation, before this runs.
 */
export async function mergeChatDetails(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  conversationSid: string,
  details: ChatDetails | undefined,
): Promise<void> {
  const extra = detailsAttributes(details);
  if (Object.keys(extra).length === 0) return;
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);
  try {
    const { attributes } = await conversation.fetch();
    const merged = { ...parseAttributes(attributes), ...extra };
    await conversation.update({ attributes: JSON.stringify(merged) });
  } catch (error) {
    log.warn('chat_details_not_saved', { conversationSid, upstreamStatus: upstreamStatus(error) });
  }
}
