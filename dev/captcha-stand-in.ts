/**
 * The stand-in for a CAPTCHA provider's browser script (dev/captcha-fake.ts
 * serves it), so browser tests can run the widget's CAPTCHA with no
 * internet. It has the part of each provider's API the widget uses:
 * `turnstile` or `hcaptcha` on `window`, with `render(container, params)`
 * returning a widget id, `params.callback(token)` when solved,
 * `params['expired-callback']()`, `reset(id)`, `remove(id)`,
 * `getResponse(id)`, and the script URL's `onload` callback. Solving is a
 * labelled checkbox: ticked, it asks the fake for a token for the page's
 * hostname and the rendered site key and action.
 *
 * `window.__captchaStandIn` records renders and resets, and `expire()` makes
 * every token lapse, for tests to drive and check.
 */
import type { CaptchaProvider } from '../src/config/captcha';

export function standInScript(provider: CaptchaProvider, fakeUrl: string): string {
  return `(() => {
  const provider = ${JSON.stringify(provider)};
  const fake = ${JSON.stringify(fakeUrl)};
  const widgets = new Map();
  let next = 1;
  const record = (window.__captchaStandIn ??= { renders: [], resets: 0 });
  record.expire = () => {
    for (const w of widgets.values()) {
      w.token = '';
      w.box.checked = false;
      w.box.disabled = false;
      w.params['expired-callback']?.();
    }
  };
  function render(container, params) {
    if (typeof container === 'string') container = document.querySelector(container);
    const id = String(next++);
    const box = document.createElement('input');
    box.type = 'checkbox';
    const label = document.createElement('label');
    label.append(box, ' I am human (' + provider + ' stand-in)');
    container.append(label);
    const widget = { box, label, params, token: '' };
    widgets.set(id, widget);
    record.renders.push({ sitekey: params.sitekey, action: params.action ?? null });
    box.addEventListener('change', () => {
      if (!box.checked) return;
      box.disabled = true;
      const body = JSON.stringify({
        provider, siteKey: params.sitekey, hostname: location.hostname, action: params.action,
      });
      fetch(fake + '/issue', { method: 'POST', body })
        .then((r) => r.json())
        .then(({ token }) => {
          widget.token = token;
          params.callback?.(token);
        }, () => params['error-callback']?.('network'));
    });
    return id;
  }
  const find = (id) => widgets.get(id === undefined ? [...widgets.keys()][0] : String(id));
  function reset(id) {
    const w = find(id);
    if (!w) return;
    w.token = '';
    w.box.checked = false;
    w.box.disabled = false;
    record.resets++;
  }
  function remove(id) {
    const w = find(id);
    w?.label.remove();
    widgets.delete(String(id));
  }
  const getResponse = (id) => find(id)?.token ?? '';
  window[provider] = { render, reset, remove, getResponse };
  const onload = new URL(document.currentScript.src).searchParams.get('onload');
  if (onload && typeof window[onload] === 'function') window[onload]();
})();
`;
}
