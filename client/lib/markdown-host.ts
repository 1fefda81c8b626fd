/**
 * Where the rich-text formatter plugs in. The formatter itself (Markdown for
 * agents, links for everyone: markdown.ts) is in webchat-sdk.js, so the
 * first-load script stays small; webchat-sdk.js registers it before it hands
 * over the SDK, so by the time any message arrives it is here. Until then (or
 * if it never comes) a message is its plain text, as it always was.
 *
 * What a formatter returns is a small tree (`Rich`), not HTML: the view
 * builds it with createElement and text nodes (client/view/rich-text.ts), so
 * nothing anyone writes can become markup, and no HTML parser or Trusted
 * Types policy is involved.
 */

/** The elements a formatted message may contain; nothing else can be built. */
export type RichTag =
  'p' | 'strong' | 'em' | 'del' | 'code' | 'pre' | 'ul' | 'ol' | 'li' | 'blockquote' | 'br';

export type Rich =
  | string
  | { tag: RichTag; children: Rich[]; start?: number }
  /** `href` is absolute and http:, https:, mailto: or tel: (markdown.ts checks). */
  | { tag: 'a'; href: string; children: Rich[] };

export interface Formatter {
  /** An agent's message: Markdown (blocks: paragraphs, lists, …) with links. */
  agent(text: string): Rich[];
  /** The customer's (or a system) message: its text, with plain URLs as links (inline). */
  plain(text: string): Rich[];
}

let formatter: Formatter | undefined;

/** Called by webchat-sdk.js (through FlexWebchat.registerFormatter). */
export function registerFormatter(next: Formatter): void {
  formatter = next;
}

/**
 * A message's text as blocks (`block`: an agent's Markdown) or as inline
 * content; plain text while no formatter is registered.
 */
export function formatText(
  text: string,
  from: 'customer' | 'agent' | 'system',
): { block: boolean; parts: Rich[] } {
  if (!formatter) return { block: false, parts: [text] };
  if (from === 'agent') return { block: true, parts: formatter.agent(text) };
  return { block: false, parts: formatter.plain(text) };
}

const BLOCKS = new Set<string>(['p', 'pre', 'ul', 'ol', 'li', 'blockquote']);

/** The text a tree reads as (for screen-reader announcements): blocks on lines of their own. */
export function richText(parts: readonly Rich[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (part.tag === 'br') out += '\n';
    else {
      const inner = richText(part.children);
      out += BLOCKS.has(part.tag) && out !== '' && !out.endsWith('\n') ? `\n${inner}` : inner;
    }
  }
  return out;
}
