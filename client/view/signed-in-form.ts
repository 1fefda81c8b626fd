/**
 * The form for a signed-in customer (client/lib/customer-session.ts says
 * who, from their token): the fields the token answers (name, email) are
 * skipped (`signedInForm: 'skip'`, the default), with "You're signed in as
 * Ana." instead of the form's introduction, or shown filled in, read-only,
 * and described as coming from their account (`'prefill'`). Either way they
 * are sent as answered. Every other field (the question, custom ones) stays:
 * a chat starts when the customer asks, not when they open the panel (that
 * would hand an agent a task for a look), and the question is what the
 * agent reads first. Nobody signed in (or signed out): the fields come back
 * as they were. A value the form would refuse stays editable.
 */
import type { CustomerTranslate } from '../lib/customer-i18n';
import type { SignedInCustomer } from '../lib/customer-state';
import { validatePreEngagement, type FieldConfig } from '../lib/pre-engagement';
import { h } from './dom';
import type { FieldView } from './form-field';

export interface SignedInFormView {
  /** Applies who is signed in; true when focus was in a field it hid. */
  render(customer: SignedInCustomer | undefined): boolean;
}

/** The form's fields a customer token answers, and the claim that does. */
const ANSWERED = [
  ['friendlyName', 'name'],
  ['email', 'email'],
] as const;

export function createSignedInForm(
  fields: readonly FieldConfig[],
  rows: ReadonlyMap<string, FieldView>,
  intro: HTMLElement | false,
  /** "You're signed in as …" goes before it (the form's error line). */
  anchor: HTMLElement,
  mode: 'skip' | 'prefill',
  t: CustomerTranslate,
): SignedInFormView {
  const note = h('p', { class: 'fw-intro', hidden: true });
  anchor.before(note);
  /** What each field held before the token filled it in (the page's prefill). */
  const before = new Map<string, string>();
  let shown: SignedInCustomer | undefined;

  function apply(field: FieldConfig, row: FieldView, value: string | undefined): boolean {
    const locked = value !== undefined && fits(field, value);
    if (locked && !before.has(field.name)) before.set(field.name, row.control.value);
    if (locked) row.control.value = value;
    else if (before.has(field.name)) row.control.value = before.get(field.name) ?? '';
    if (!locked) before.delete(field.name);
    const hadFocus = row.element.contains(focusedIn(row.element));
    row.element.hidden = locked && mode === 'skip';
    row.control.readOnly = locked;
    markVerified(row, locked && mode === 'prefill', t);
    return hadFocus && row.element.hidden;
  }

  return {
    render(customer) {
      if (customer === shown) return false;
      shown = customer;
      let focusLost = false;
      for (const [name, claim] of ANSWERED) {
        const field = fields.find((f) => f.name === name);
        const row = rows.get(name);
        if (field && row) focusLost = apply(field, row, customer?.[claim]) || focusLost;
      }
      const who = customer?.name ?? customer?.email;
      const skipping = customer !== undefined && mode === 'skip';
      note.textContent = who ? t('signedIn.as', { name: who }) : '';
      note.hidden = !skipping || !who;
      if (intro) intro.hidden = skipping;
      return focusLost;
    },
  };
}

/** Whether the form would accept `value` for `field` as it is. */
function fits(field: FieldConfig, value: string): boolean {
  return validatePreEngagement([field], { [field.name]: value }, () => '').errors.length === 0;
}

function focusedIn(element: HTMLElement): Element | null {
  return (element.getRootNode() as Document | ShadowRoot).activeElement;
}

/** Read-only from the token: says so, visibly and to screen readers (aria-describedby). */
function markVerified(row: FieldView, verified: boolean, t: CustomerTranslate): void {
  const id = `${row.control.id}-verified`;
  let hint = row.element.querySelector<HTMLElement>(`#${id}`);
  if (!hint && !verified) return;
  hint ??= row.element.appendChild(h('p', { id, class: 'fw-verified' }, t('signedIn.verified')));
  hint.hidden = !verified;
  const described = (row.control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter((part) => part && part !== id);
  if (verified) described.push(id);
  row.control.setAttribute('aria-describedby', described.join(' '));
}
