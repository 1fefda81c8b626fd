/**
 * Builds a message's text from the formatter's tree (client/lib/markdown-host.ts)
 * with createElement and text nodes only: no HTML string is ever parsed, so
 * nothing in a message can become markup or script (and a Trusted Types
 * policy has nothing to check). Links open in a new tab, without giving it
 * this page (`noopener`) or its address (`noreferrer`).
 */
import { formatText, type Rich } from '../lib/markdown-host';
import { h } from './dom';

export function richNodes(parts: readonly Rich[]): (Node | string)[] {
  return parts.map((part) => {
    if (typeof part === 'string') return part;
    if (part.tag === 'a') {
      return h(
        'a',
        { href: part.href, target: '_blank', rel: 'noopener noreferrer' },
        ...richNodes(part.children),
      );
    }
    const element = h(part.tag, {}, ...richNodes(part.children));
    if (part.tag === 'ol' && part.start !== undefined)
      element.setAttribute('start', String(part.start));
    return element;
  });
}

/** A message's body: an agent's Markdown as blocks, anyone else's text with its links. */
export function messageText(body: string, from: 'customer' | 'agent' | 'system'): HTMLElement {
  const { block, parts } = formatText(body, from);
  return block
    ? h('div', { class: 'fw-text fw-rich' }, ...richNodes(parts))
    : h('p', { class: 'fw-text' }, ...richNodes(parts));
}
