/**
 * Rich text for messages, in webchat-sdk.js (not the first-load script): an
 * agent's Markdown (bold, italic, strikethrough, lists, inline and block
 * code, quotes, links, as Flex agents send them) and plain URLs as links in
 * everyone's messages. Pure: it returns the `Rich` tree of markdown-host.ts,
 * which the view builds with createElement and text nodes.
 *
 * The parser is marked's lexer (GFM, line breaks kept, as chat is typed); its
 * renderer and any HTML string are never used. What is safe is decided here,
 * by what the tree can hold:
 * - raw HTML (`<img onerror>`, `<script>`) is shown as the text it is;
 * - a link is built only for an absolute http:, https:, mailto: or tel: URL
 *   (checked by the URL parser, which sees through `java\tscript:` and
 *   entity tricks); any other link is shown as the text that was written;
 * - images are never loaded (a third party would learn who reads the chat):
 *   an image becomes a link to it, if its URL is allowed;
 * - a task list's boxes stay as written (`[ ]`, `[x]`);
 * - headings, tables and rules have no place in a bubble: a heading is a bold
 *   paragraph, the others are shown as written.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { linkify, safeHref } from './markdown-linkify';
import type { Formatter, Rich } from './markdown-host';

export { safeHref };

const LEXER_OPTIONS = { gfm: true, breaks: true } as const;

/** An agent's message as blocks. */
export function agentText(text: string): Rich[] {
  return blocks(Lexer.lex(text, LEXER_OPTIONS));
}

/** The customer's (or a system) message: the text as written, with its URLs linked. */
export function plainText(text: string): Rich[] {
  return linkify(text).map((piece) =>
    typeof piece === 'string' ? piece : { tag: 'a', href: piece.href, children: [piece.text] },
  );
}

export const formatter: Formatter = { agent: agentText, plain: plainText };

function blocks(tokens: readonly Token[]): Rich[] {
  const out: Rich[] = [];
  for (const token of tokens) {
    const rich = block(token);
    if (rich) out.push(rich);
  }
  return out;
}

function block(token: Tokens.Generic): Rich | undefined {
  switch (token.type) {
    case 'space':
      return undefined;
    case 'paragraph':
      return { tag: 'p', children: inline(token.tokens ?? []) };
    case 'heading':
      return { tag: 'p', children: [{ tag: 'strong', children: inline(token.tokens ?? []) }] };
    case 'text':
      // A tight list item's text: inline content, no paragraph.
      return { tag: 'p', children: token.tokens ? inline(token.tokens) : [String(token.text)] };
    case 'list':
      return list(token as Tokens.List);
    case 'code':
      return { tag: 'pre', children: [{ tag: 'code', children: [String(token.text)] }] };
    case 'blockquote':
      return { tag: 'blockquote', children: blocks(token.tokens ?? []) };
    default:
      // html, table, hr, def, anything newer: shown as written.
      return { tag: 'p', children: [token.raw.replace(/\n+$/, '')] };
  }
}

function list(token: Tokens.List): Rich {
  const items: Rich[] = token.items.map((item) => {
    let children = blocks(item.tokens);
    // Tight lists: the item's text straight in the <li>, without a <p> around it.
    if (!item.loose) children = children.flatMap((c) => (isTag(c, 'p') ? c.children : [c]));
    return { tag: 'li', children };
  });
  const start = token.ordered && typeof token.start === 'number' ? token.start : 1;
  return token.ordered
    ? { tag: 'ol', children: items, ...(start !== 1 && { start }) }
    : { tag: 'ul', children: items };
}

function isTag(rich: Rich, tag: string): rich is Extract<Rich, { children: Rich[] }> {
  return typeof rich !== 'string' && rich.tag === tag;
}

function inline(tokens: readonly Token[]): Rich[] {
  const out: Rich[] = [];
  for (const token of tokens as readonly Tokens.Generic[]) {
    switch (token.type) {
      case 'text':
        if (token.tokens) out.push(...inline(token.tokens));
        else out.push(String(token.text));
        break;
      case 'escape':
        out.push(String(token.text));
        break;
      case 'strong':
      case 'em':
      case 'del':
        out.push({ tag: token.type, children: inline(token.tokens ?? []) });
        break;
      case 'codespan':
        out.push({ tag: 'code', children: [String(token.text)] });
        break;
      case 'br':
        out.push({ tag: 'br', children: [] });
        break;
      case 'link':
        out.push(link(token as Tokens.Link));
        break;
      case 'image':
        out.push(image(token as Tokens.Image));
        break;
      default:
        // html (`<img onerror=…>`, `<script>`), and anything unknown: as written.
        out.push(token.raw);
    }
  }
  return out;
}

function link(token: Tokens.Link): Rich {
  const href = safeHref(token.href);
  if (!href) return token.raw; // javascript:, data:, relative…: the text that was written
  return { tag: 'a', href, children: inline(token.tokens) };
}

function image(token: Tokens.Image): Rich {
  const href = safeHref(token.href);
  if (!href) return token.raw;
  return { tag: 'a', href, children: [token.text || token.href] };
}
