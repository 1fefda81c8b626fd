/**
 * One field of the pre-engagement form: its label ("optional" when it is),
 * the control with its prefilled value, and the error line under it that
 * describes it for screen readers. Takes the field's configuration, label
 * and starting value; the form marks and clears its error.
 */
import type { Translate } from '../lib/i18n';
import type { FieldConfig } from '../lib/pre-engagement';
import { h } from './dom';

export interface FieldView {
  element: HTMLElement;
  control: HTMLInputElement | HTMLTextAreaElement;
  /** Shows `text` under the control and marks it invalid. */
  mark(text: string): void;
  clear(): void;
}

export function createField(
  field: FieldConfig,
  label: string,
  value: string | undefined,
  t: Translate,
): FieldView {
  const id = `fw-field-${field.name}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.name,
    'aria-describedby': errorId,
    required: field.required,
    autocomplete: autocompleteOf(field),
  };
  const control =
    field.type === 'textarea'
      ? h('textarea', { ...common, rows: 3 })
      : h('input', { ...common, type: field.type });
  control.value = value ?? '';
  const error = h('p', { id: errorId, class: 'fw-field-error', hidden: true });
  const element = h(
    'div',
    { class: 'fw-field' },
    h(
      'label',
      { for: id },
      label,
      !field.required && h('span', { class: 'fw-optional' }, ` (${t('optional')})`),
    ),
    control,
    error,
  );
  return {
    element,
    control,
    mark(text) {
      error.textContent = text;
      error.hidden = false;
      control.setAttribute('aria-invalid', 'true');
    },
    clear() {
      error.hidden = true;
      error.textContent = '';
      control.removeAttribute('aria-invalid');
    },
  };
}

function autocompleteOf(field: FieldConfig): string {
  if (field.name === 'friendlyName') return 'name';
  if (field.type === 'email') return 'email';
  if (field.type === 'tel') return 'tel';
  return 'off';
}
