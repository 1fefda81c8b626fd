/**
 * The pre-engagement form: configured fields, labelled and described for
 * screen readers, validated like the server would before anything is sent,
 * with errors next to their field and focus moved to the first one. With no
 * fields configured it is a single "Start chat" button.
 */
import type { WidgetConfig } from '../lib/config';
import { humanize, type MessageKey, type Translate } from '../lib/i18n';
import { validatePreEngagement, type FieldConfig, type StartChatBody } from '../lib/pre-engagement';
import type { StartError } from '../lib/state';
import { h } from './dom';

export interface FormView {
  element: HTMLElement;
  /** Shows the server's refusal (or clears it). */
  showStartError(error: StartError | undefined): void;
  setBusy(busy: boolean): void;
  focus(): void;
}

export function createFormView(
  config: WidgetConfig,
  t: Translate,
  onSubmit: (body: StartChatBody) => void,
): FormView {
  const fields = config.fields === false ? [] : config.fields;
  const labelOf = (field: FieldConfig) =>
    field.label ?? (t(`field.${field.name}` as MessageKey) || humanize(field.name));
  const controls = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const errors = new Map<string, HTMLElement>();
  /** Fields marked because the server refused them (see showStartError). */
  const refusedByServer = new Set<string>();

  const rows = fields.map((field) => {
    const id = `fw-field-${field.name}`;
    const errorId = `${id}-error`;
    const label = labelOf(field);
    const common = {
      id,
      name: field.name,
      'aria-describedby': errorId,
      required: field.required,
      autocomplete:
        field.name === 'friendlyName'
          ? 'name'
          : field.type === 'email'
            ? 'email'
            : field.type === 'tel'
              ? 'tel'
              : 'off',
    };
    const control =
      field.type === 'textarea'
        ? h('textarea', { ...common, rows: 3 })
        : h('input', { ...common, type: field.type });
    control.value = config.prefill[field.name] ?? '';
    controls.set(field.name, control);
    const error = h('p', { id: errorId, class: 'fw-field-error', hidden: true });
    errors.set(field.name, error);
    return h(
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
  });

  const startError = h('div', { class: 'fw-alert', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'fw-primary-button' }, t('startChat'));
  const form = h(
    'form',
    { class: 'fw-form', novalidate: true, 'aria-label': config.title ?? t('title') },
    fields.length > 0 && h('p', { class: 'fw-intro' }, t('formIntro')),
    // Above the fields: in a long form, an error by the button is easy to miss.
    startError,
    ...rows,
    submit,
  );

  /** Shows `text` under the field's control; undefined when the form has no such field. */
  function markField(name: string, text: string): HTMLElement | undefined {
    const error = errors.get(name);
    const control = controls.get(name);
    if (!error || !control) return undefined;
    error.textContent = text;
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    return control;
  }

  function clearField(name: string): void {
    const error = errors.get(name);
    if (error) {
      error.hidden = true;
      error.textContent = '';
    }
    controls.get(name)?.removeAttribute('aria-invalid');
  }

  function clearErrors(): void {
    for (const name of errors.keys()) clearField(name);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    view.showStartError(undefined);
    const values = Object.fromEntries(
      [...controls].map(([name, control]) => [name, control.value]),
    );
    const result = validatePreEngagement(fields, values, labelOf);
    if (result.body) {
      onSubmit(result.body);
      return;
    }
    let first: HTMLElement | undefined;
    for (const problem of result.errors) {
      const text = t(problem.key, problem.params);
      const control = markField(problem.field, text);
      if (control) first ??= control;
      else view.showStartError({ code: 'invalid_request', message: text });
    }
    first?.focus();
  });

  const view: FormView = {
    element: form,
    showStartError(error) {
      startError.replaceChildren();
      startError.hidden = !error;
      // The server's marks from last time go; the form's own checks stay theirs.
      for (const name of refusedByServer) clearField(name);
      refusedByServer.clear();
      if (!error) return;
      // A field the server refused by a rule the form could not know: marked
      // where the customer can fix it, like the form's own checks.
      const problems = error.code === 'invalid_request' ? (error.fields ?? []) : [];
      for (const { field: name } of problems) {
        if (markField(name, t('error.refused'))) refusedByServer.add(name);
      }
      const allMarked = problems.length > 0 && problems.every((p) => refusedByServer.has(p.field));
      startError.append(h('p', {}, allMarked ? t('error.checkFields') : startErrorText(error, t)));
      // Misconfiguration: tell the site owner exactly what to set (names only).
      if (error.code === 'not_configured' && error.fields?.length) {
        const list = h(
          'ul',
          {},
          ...error.fields.map((f) => h('li', {}, h('code', {}, f.field), ` ${f.problem}`)),
        );
        startError.append(
          h(
            'details',
            { class: 'fw-details' },
            h('summary', {}, t('error.details')),
            h('p', {}, error.message),
            list,
          ),
        );
      }
    },
    setBusy(busy) {
      submit.disabled = busy;
      submit.textContent = busy ? t('starting') : t('startChat');
      form.setAttribute('aria-busy', String(busy));
    },
    focus() {
      const all = [...controls.values()];
      (all.find((c) => c.getAttribute('aria-invalid') === 'true') ?? all[0] ?? submit).focus();
    },
  };
  return view;
}

export function startErrorText(error: StartError, t: Translate): string {
  switch (error.code) {
    case 'not_configured':
      return t('error.notConfigured');
    case 'origin_not_allowed':
      return t('error.originNotAllowed');
    case 'network':
      return t('error.network');
    case 'upstream_rate_limited':
      return t('error.rateLimited');
    case 'invalid_request':
      return error.fields ? t('error.generic') : error.message;
    default:
      return t('error.generic');
  }
}
