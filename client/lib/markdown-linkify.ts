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
 * A candidate: after the start, a space or one of `*_~(` (as GFM says), a
 * URL or an email address. No lookbehind: Safari before 16.4 cannot parse one.
 */
const CANDIDATE =
  /(^|[\s*_~(<"'])((?:https?:\/\/|www\.)[^\s<]+|[\w.+-]+@[a-z\d-]+(?:\.[a-z\d-]+)+[a-z\d])/gi;

const TRAILING = /[?!.,:*_~'";]$/;

/** Drops what GFM leaves out of a link's end: punctuation, an unbalanced `)`. */
function trimEnd(url: string): string {
  let end = url;
  for (;;) {
    if (TRAILING.test(end)) end = end.slice(0, -1);
    else if (end.endsWith(')') && count(end, '(') < count(end, ')')) end = end.slice(0, -1);
    else return end;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function hrefOf(text: string): string | undefined {
  if (/^www\./i.test(text))
    return /^www\.[^\s]/i.test(text) ? safeHref(`http://${text}`) : undefined;
  if (/^https?:\/\//i.test(text))
    return /^https?:\/\/[^/?#]/i.test(text) ? safeHref(text) : undefined;
  return /^[\w.+-]+@[a-z\d-]+(?:\.[a-z\d-]+)+$/i.test(text)
    ? safeHref(`mailto:${text}`)
    : undefined;
}

export function linkify(text: string): Linked[] {
  const out: Linked[] = [];
  let done = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const [, before = '', found = ''] = match;
    const start = (match.index ?? 0) + before.length;
    const link = trimEnd(found);
    const href = link && hrefOf(link);
    if (!href) continue;
    if (start > done) out.push(text.slice(done, start));
    out.push({ href, text: link });
    done = start + link.length;
  }
  if (done < text.length) out.push(text.slice(done));
  return out;
}
