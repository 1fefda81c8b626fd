/**
 * Plain URLs in text as links, for messages that are not Markdown (the
 * customer's own, the service's): the same rules as GitHub's extended
 * autolinks, which marked applies to agents' messages, so both sides of a
 * chat link the same things. `https://…`, `http://…`, `www.…` (linked as
 * http://) and email addresses (mailto:); trailing punctuation is not part of
 * the link, nor is a closing parenthesis without its opening one.
 *
 * @example
 *   linkify('See www.example.com.');
 *   // ['See ', { href: 'http://www.example.com/', text: 'www.example.com' }, '.']
 */

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/**
 * The URL to link to, normalised, if it is absolute and its protocol is
 * http:, https:, mailto: or tel: (the URL parser sees through `java\tscript:`
 * and the like); undefined for anything else (relative, javascript:, data:).
 */
export function safeHref(href: string): string | undefined {
  try {
    const url = new URL(href);
    return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export type Linked = string | { href: string; text: string };

/**
 * A URL: after the start, a space or one of `*_~(` (as GFM says). No
 * lookbehind: Safari before 16.4 cannot parse one. Email addresses are found
 * from their `@` instead (emailAt): a pattern that starts at every word
 * character would take quadratic time on a long run of them.
 */
const URL_START = /(^|[\s*_~(<"'])((?:https?:\/\/|www\.)[^\s<]+)/gi;

const TRAILING = '?!.,:*_~\'";';

/** Drops what GFM leaves out of a link's end: punctuation, an unbalanced `)`. In one pass. */
function trimEnd(url: string): string {
  let end = url.length;
  const opened = url.split('(').length - 1;
  let closed = url.split(')').length - 1;
  while (end > 0) {
    const last = url.charAt(end - 1);
    if (TRAILING.includes(last)) end--;
    else if (last === ')' && opened < closed) {
      end--;
      closed--;
    } else break;
  }
  return url.slice(0, end);
}

function hrefOf(text: string): string | undefined {
  if (/^www\./i.test(text))
    return /^www\.[^\s]/i.test(text) ? safeHref(`http://${text}`) : undefined;
  return /^https?:\/\/[^/?#]/i.test(text) ? safeHref(text) : undefined;
}

const LOCAL = /[\w.+-]/;
const DOMAIN = /[a-z\d.-]/i;
/** GFM's: no `-` (nor `_`, not allowed here anyway) at the very end. */
const EMAIL = /^[\w.+-]+@[a-z\d-]+(?:\.[a-z\d-]+)+$/i;

/** The email address around the `@` at `at`, if there is one (each character looked at once per `@`). */
function emailAt(text: string, at: number): Range | undefined {
  let start = at;
  while (start > 0 && LOCAL.test(text.charAt(start - 1))) start--;
  let end = at + 1;
  while (end < text.length && DOMAIN.test(text.charAt(end))) end++;
  while (end > at + 1 && text.charAt(end - 1) === '.') end--; // "…@example.com." ends a sentence
  const found = text.slice(start, end);
  const href = EMAIL.test(found) && !found.endsWith('-') ? safeHref(`mailto:${found}`) : undefined;
  return href ? { start, end, href } : undefined;
}

interface Range {
  start: number;
  end: number;
  href: string;
}

export function linkify(text: string): Linked[] {
  const ranges: Range[] = [];
  for (const match of text.matchAll(URL_START)) {
    const [, before = '', found = ''] = match;
    const start = (match.index ?? 0) + before.length;
    const link = trimEnd(found);
    const href = link && hrefOf(link);
    if (href) ranges.push({ start, end: start + link.length, href });
  }
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    const email = emailAt(text, at);
    if (email) ranges.push(email);
  }
  ranges.sort((a, b) => a.start - b.start);
  const out: Linked[] = [];
  let done = 0;
  for (const { start, end, href } of ranges) {
    if (start < done) continue; // inside a link already (an @ in a URL)
    if (start > done) out.push(text.slice(done, start));
    out.push({ href, text: text.slice(start, end) });
    done = end;
  }
  if (done < text.length) out.push(text.slice(done));
  return out;
}
