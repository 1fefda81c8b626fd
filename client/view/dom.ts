/**
 * A few lines instead of a framework: `h()` builds elements with attributes,
 * listeners and children; text is always set as text (never HTML), so
 * nothing a customer or agent writes can become markup.
 *
 * @example
 *   h('button', { type: 'button', 'aria-label': t('send'), onclick: send }, icon('send'))
 */
type Listener = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | undefined | null | Listener>;
export type Child = Node | string | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Whether the widget may move focus: it is in the widget already (this
 * shadow root), or nowhere in particular (the page's body). A background
 * change (a reconnect, an ended chat) never takes it from the host page.
 */
export function focusIsOurs(root: ShadowRoot): boolean {
  const active = document.activeElement;
  return root.activeElement !== null || active === null || active === document.body;
}

/** Whether a scroller is at (or near) its bottom, where new content should keep it. */
export function nearBottom(scroller: HTMLElement): boolean {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 64;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

const ICONS = {
  chat: 'M4 4h16v12H7l-3 3V4zm2 2v8.2L6.2 14H18V6H6z',
  close:
    'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  send: 'M3 20.5 21 12 3 3.5V10l12 2-12 2z',
  attach:
    'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9V15.5a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z',
  file: 'M6 2h8l6 6v14H6V2zm7 1.5V9h5.5L13 3.5z',
} as const;

/** A decorative icon: hidden from assistive technology, labelled by its button. */
export function icon(name: keyof typeof ICONS): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/** A button with a text label. */
export function button(className: string, label: string, onclick?: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: className, onclick }, label);
}

/** A button showing only an icon, named by `label` for assistive technology. */
export function iconButton(
  name: keyof typeof ICONS,
  label: string,
  attrs: Attrs = {},
): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: 'fw-icon-button', 'aria-label': label, ...attrs },
    icon(name),
  );
}

/** Text only for screen readers. */
export function srOnly(text: string): HTMLSpanElement {
  return h('span', { class: 'fw-sr-only' }, text);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
