/**
 * The placeholder page's only job: ask /status and show, in plain words,
 * whether the service is ready or what to put in .env.
 */
interface StatusBody {
  configured?: boolean;
  handoffMode?: string;
  error?: { code: string; message: string; fields?: { field: string; problem: string }[] };
}

function render(target: HTMLElement, body: StatusBody, status: number): void {
  target.replaceChildren();
  const p = document.createElement('p');
  if (status === 200 && body.configured) {
    p.textContent = `Ready: chats reach Flex in "${body.handoffMode ?? 'studio'}" mode.`;
    target.append(p);
    return;
  }
  p.textContent = body.error?.message ?? `The service answered with HTTP ${status}.`;
  target.append(p);
  if (body.error?.fields?.length) {
    const list = document.createElement('ul');
    list.className = 'problem-list';
    for (const { field, problem } of body.error.fields) {
      const item = document.createElement('li');
      const name = document.createElement('code');
      name.textContent = field;
      item.append(name, ` ${problem}`);
      list.append(item);
    }
    const hint = document.createElement('p');
    hint.textContent =
      'Copy .env.example to .env, fill in these variables, then restart npm start.';
    target.append(list, hint);
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

void main();
