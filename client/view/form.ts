/**
 * The pre-engagement form: configured fields, labelled and described for
 * screen readers, validated like the server would before anything is sent,
 * with errors next to their field and focus moved to the first one. With no
 * fields configured it is a single "Start chat" button. Takes the widget's
 * configuration, and the state (the server's refusal) once a start failed;
 * a valid form goes to `onSubmit`. With a CAPTCHA (view/captcha.ts), it
 * sits above the button, and the form goes only once it is solved.
 */
import type { WidgetConfig } from '../lib/config';
import { humanize, type MessageKey, type Translate } from '../lib/i18n';
import {
  validatePreEngagement,
  type FieldConfig,
  type FieldError,
  type StartChatBody,
} from '../lib/pre-engagement';
import type { Action, StartError, State } from '../lib/state';
import type { CaptchaView } from './captcha';
import { h } from './dom';
import { createField, type FieldView } from './form-field';
import { customerPart } from '../lib/customer-loader';
import { renderStartError } from './start-error';

export interface FormView {
  element: HTMLElement;
  /**
   * While a start is under way, says its step (on the button, and to screen
   * readers); after a failed start, shows the server's refusal (moving focus
   * to it when it may).
   */
  render(state: State, action: Action | undefined, mayFocus: boolean): void;
  focus(): void;
}

/** What the form says while a start is under way. */
type Busy = false | 'preparing' | 'starting' | 'queued';

export function createFormView(
  config: WidgetConfig,
  t: Translate,
  onSubmit: (body: StartChatBody) => void,
  captcha?: CaptchaView,
): FormView {
  const fields = config.fields === false ? [] : config.fields;
  const labelOf = (field: FieldConfig) =>
    field.label ?? (t(`field.${field.name}` as MessageKey) || humanize(field.name));
  const rows = fields.map((f) => createField(f, labelOf(f), config.prefill[f.name], t));
  const byName = new Map(fields.map((f, i) => [f.name, rows[i] as FieldView]));
  /** Fields marked because the server refused them (see markRefused). */
  const refusedByServer = new Set<string>();
  const startError = h('div', { class: 'fw-alert', role: 'alert', hidden: true });
  /** Shows the server's refusal (or clears it). */
  const showStartError = (error: StartError | undefined) =>
    renderStartError(startError, error, markRefused(byName, refusedByServer, error, t), t, config);
  const submit = h('button', { type: 'submit', class: 'fw-primary-button' }, t('startChat'));
  const intro = fields.length > 0 && h('p', { class: 'fw-intro' }, t('formIntro'));
  /** A signed-in customer: the fields their token answers skipped or locked. */
  let signedIn: { render(customer: State['customer']['signedIn']): boolean } | undefined;
  const form = h(
    'form',
    { class: 'fw-form', novalidate: true, 'aria-label': config.title ?? t('title') },
    intro,
    // Above the fields: in a long form, an error by the button is easy to miss.
    startError,
    ...rows.map((row) => row.element),
    captcha?.element,
    submit,
  );
  const setBusy = busyIndicator(form, submit, t);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const row of rows) row.clear();
    showStartError(undefined);
    const values = Object.fromEntries([...byName].map(([name, row]) => [name, row.control.value]));
    const result = validatePreEngagement(fields, values, labelOf);
    if (result.body) return captcha?.check() === false ? undefined : onSubmit(result.body);
    const first = markProblems(byName, result.errors, t, (message) =>
      showStartError({ code: 'invalid_request', message }),
    );
    first?.focus();
  });

  const view: FormView = {
    element: form,
    render(state, action, mayFocus) {
      signedIn ??= customerPart()?.signedInForm(fields, byName, intro, startError);
      if (signedIn?.render(state.customer.signedIn) && mayFocus) view.focus();
      setBusy(busyOf(state));
      if (state.phase !== 'form' || action?.type !== 'phase') return;
      showStartError(state.startError);
      if (state.startError && state.open && mayFocus) view.focus();
    },
    focus() {
      const all = [...byName.values()].filter((r) => !r.element.hidden).map((r) => r.control);
      (all.find((c) => c.getAttribute('aria-invalid') === 'true') ?? all[0] ?? submit).focus();
    },
  };
  return view;
}

/** The start's step, if one is under way: waiting its turn is "in line". */
function busyOf(state: State): Busy {
  if (state.phase === 'starting') return state.queued ? 'queued' : 'starting';
  return state.phase === 'preparing' ? 'preparing' : false;
}

/**
 * Marks the form's own problems at their fields; one with no field on this
 * form goes to `elsewhere`. Returns the first field marked.
 */
function markProblems(
  byName: ReadonlyMap<string, FieldView>,
  problems: readonly FieldError[],
  t: Translate,
  elsewhere: (text: string) => void,
): HTMLElement | undefined {
  let first: HTMLElement | undefined;
  for (const problem of problems) {
    const text = t(problem.key, problem.params);
    const row = byName.get(problem.field);
    row?.mark(text);
    if (row) first ??= row.control;
    else elsewhere(text);
  }
  return first;
}

/**
 * Marks the fields the server refused (`refused` remembers them); returns
 * true when it refused some and every one of them is on this form.
 */
function markRefused(
  byName: ReadonlyMap<string, FieldView>,
  refused: Set<string>,
  error: StartError | undefined,
  t: Translate,
): boolean {
  // The server's marks from last time go; the form's own checks stay theirs.
  for (const name of refused) byName.get(name)?.clear();
  refused.clear();
  // A field the server refused by a rule the form could not know: marked
  // where the customer can fix it, like the form's own checks.
  const problems = error?.code === 'invalid_request' ? (error.fields ?? []) : [];
  for (const { field: name } of problems) {
    byName.get(name)?.mark(t('error.refused'));
    if (byName.has(name)) refused.add(name);
  }
  return problems.length > 0 && problems.every((p) => refused.has(p.field));
}

/**
 * Says a start's step ("Preparing your chat…", "Starting your chat…", "You're
 * in line…") on the button, disabled meanwhile, and in a status region (polite),
 * so a screen reader hears it although the button it was on is disabled. The
 * fields keep what the customer typed throughout.
 */
function busyIndicator(form: HTMLElement, submit: HTMLButtonElement, t: Translate) {
  const status = h('p', { class: 'fw-sr-only', role: 'status' });
  form.append(status);
  let shown: Busy = false;
  return (busy: Busy): void => {
    if (busy === shown) return; // a live region re-read on every render would be noise
    shown = busy;
    submit.disabled = busy !== false;
    submit.textContent = busy ? t(busy) : t('startChat');
    status.textContent = busy ? t(busy) : '';
    form.setAttribute('aria-busy', String(busy !== false));
  };
}
