/**
 * npm run screenshots: renders every state of the widget (phone and desktop)
 * to screenshots/*.png, for a person to look at. Same setup as the browser
 * tests: the real local runtime, the local Twilio mock, the fake chat client.
 * States 1-8 are one chat (scripts/screenshot/chat-states.ts), 9 a service
 * with no configuration (scripts/screenshot/not-configured.ts).
 * `--readme` also refreshes docs/screenshot.png (from desktop-4-chat.png).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser } from '../dev/browser';
import { TEST_ENV } from '../dev/twilio-fake/env';
import { ROOT, startLocalRuntime } from '../dev/local-runtime';
import { TwilioMock } from '../dev/twilio-fake/twilio-mock';
import { buildAll } from './build';
import { DEVICES, OUT, photograph } from './screenshot/camera';
import { chatStates } from './screenshot/chat-states';
import { notConfigured } from './screenshot/not-configured';

async function main(): Promise<void> {
  await buildAll();
  await mkdir(OUT, { recursive: true });
  const mock = await TwilioMock.start();
  const [runtime, unconfigured, browser] = await Promise.all([
    startLocalRuntime(TEST_ENV, { mockUrl: mock.baseUrl }),
    startLocalRuntime({}),
    launchBrowser(),
  ]);
  const shots: string[] = [];
  try {
    for (const device of DEVICES) {
      await photograph(browser, device, shots, chatStates(runtime.url));
      await photograph(browser, device, shots, notConfigured(unconfigured.url));
    }
    if (process.argv.includes('--readme')) {
      await mkdir(join(ROOT, 'docs'), { recursive: true });
      await copyFile(join(OUT, 'desktop-4-chat.png'), join(ROOT, 'docs', 'screenshot.png'));
    }
  } finally {
    await browser.close();
    await Promise.all([runtime.stop(), unconfigured.stop()]);
    await mock.stop();
  }
  console.log(shots.map((s) => s.replace(`${ROOT}/`, '')).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
