/**
 * demo.js: the demo page's developer panel. Asks /status and says, in plain
 * words, whether the service is ready or exactly what to put in .env. The
 * chat itself is the real widget (webchat.js), embedded as any site would.
 */
interface StatusBody {
  configured?: boolean;
  handoffMode?: string;
  error?: { code: string; message: string; fields?: { field: string; problem: string }[] };
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  return element;
}

function render(target: HTMLElement, body: StatusBody, status: number): void {
  target.replaceChildren();
  if (status === 200 && body.configured) {
    target.dataset.state = 'ready';
    target.append(
      el(
        'p',
        `Ready: chats reach Flex in "${body.handoffMode ?? 'studio'}" mode. Open the chat below.`,
      ),
    );
    return;
  }
  target.dataset.state = 'problem';
  target.append(el('p', body.error?.message ?? `The service answered with HTTP ${status}.`));
  if (body.error?.fields?.length) {
    const list = el('ul');
    for (const { field, problem } of body.error.fields) {
      const item = el('li');
      item.append(el('code', field), ` ${problem}`);
      list.append(item);
    }
    target.append(
      list,
      el(
        'p',
        'Run npm run setup: it finds these in your Twilio account and writes .env. Then restart npm start. (Or copy .env.example to .env and fill them in.)',
      ),
    );
  }
}

async function main(): Promise<void> {
  const target = document.getElementById('status');
  if (!target) return;
  try {
    const response = await fetch('/status', { headers: { Accept: 'application/json' } });
    render(target, (await response.json()) as StatusBody, response.status);
  } catch {
    target.textContent = 'Could not reach the service. Is npm start still running?';
  }
}

// Not urgent: let the page and the widget load first (each function call makes
// the local runtime start a process, which competes with the browser).
const idle = (window as { requestIdleCallback?: (cb: () => void) => number }).requestIdleCallback;
window.addEventListener(
  'load',
  () => (idle ? idle(() => void main()) : setTimeout(() => void main(), 200)),
  {
    once: true,
  },
);
