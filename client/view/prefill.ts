/**
 * `FlexWebchat.open({ prefill })`: values for the pre-engagement form, by
 * field name. A form not built yet (or the next chat's) starts with them; a
 * form on screen gets them in its empty fields only, so nothing the customer
 * typed is ever replaced.
 */
import type { WidgetConfig } from '../lib/config';

/** Only strings are taken: the form's fields hold text. */
export function applyPrefill(shadow: ShadowRoot, config: WidgetConfig, values: unknown): void {
  if (values === null || typeof values !== 'object') return;
  const strings = Object.entries(values as Record<string, unknown>).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  for (const [name, value] of strings) {
    config.prefill[name] = value;
    const control = [
      ...shadow.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
        '.fw-field input, .fw-field textarea',
      ),
    ].find((el) => el.name === name);
    if (control && control.value === '') control.value = value;
  }
}
