/**
 * npm run screenshots: renders every state of the widget (phone and desktop)
 * to screenshots/*.png, for a person to look at. Same setup as the browser
 * tests: the real local runtime, the local Twilio mock, the fake chat client.
 * `--readme` also refreshes docs/screenshot.png.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DESKTOP, fake, launchBrowser, newPage, PHONE } from '../dev/browser';
import { TEST_ENV } from '../dev/twilio-fake/env';
import { ROOT, startLocalRuntime } from '../dev/local-runtime';
import { TwilioMock } from '../dev/twilio-fake/twilio-mock';
import { buildAll } from './build';

const OUT = join(ROOT, 'screenshots');

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
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const { page, context } = await newPage(browser, { viewport });
      const shot = async (name: string) => {
        const path = join(OUT, `${device}-${name}.png`);
        await page.waitForTimeout(150);
        await page.screenshot({ path });
        shots.push(path);
      };
      await page.goto(`${runtime.url}/`);
      await page.getByRole('button', { name: 'Open chat' }).waitFor();
      await shot('1-launcher');
      await page.getByRole('button', { name: 'Open chat' }).click();
      await shot('2-form');
      await page.getByLabel('Email').fill('ana@');
      await page.getByRole('button', { name: 'Start chat' }).click();
      await shot('3-form-errors');
      await page.getByLabel('Name').fill('Ana López');
      await page.getByLabel('Email').fill('ana@example.com');
      await page.getByRole('button', { name: 'Start chat' }).click();
      const message = page.getByRole('textbox', { name: 'Message' });
      await message.waitFor();
      await message.fill('Hi! My order #1042 has not arrived yet.');
      await message.press('Enter');
      await fake(page, (c) => c.agentJoins('Alex'));
      await fake(page, (c) => c.agentSays('Hi Ana, sorry about that. Let me look it up.'));
      await fake(page, (c) => c.agentReadsAll());
      await page.evaluate(() => {
        // A small "map" image, drawn here, as an agent's attachment.
        const canvas = document.createElement('canvas');
        canvas.width = 240;
        canvas.height = 150;
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#dbe7f5';
        g.fillRect(0, 0, 240, 150);
        g.strokeStyle = '#0a58ca';
        g.lineWidth = 6;
        g.beginPath();
        g.moveTo(20, 120);
        g.bezierCurveTo(80, 20, 150, 140, 220, 30);
        g.stroke();
        g.fillStyle = '#b42318';
        g.beginPath();
        g.arc(220, 30, 10, 0, Math.PI * 2);
        g.fill();
        window.fakeChat.agentSendsImage('tracking.png', canvas.toDataURL('image/png'));
      });
      await fake(page, (c) => c.agentTyping(true));
      await shot('4-chat');
      await page.locator('.fw-file-input').setInputFiles({
        name: 'receipt.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 receipt'),
      });
      await message.fill('Here is my receipt.');
      await shot('5-attachment');
      await fake(page, (c) => c.connection('connecting'));
      await shot('6-reconnecting');
      await fake(page, (c) => c.connection('connected'));
      await page.getByRole('button', { name: 'End chat' }).click();
      await shot('7-confirm-end');
      await page.getByRole('button', { name: 'End chat' }).last().click();
      await page.getByText('You ended the chat.').waitFor();
      await shot('8-ended');
      await context.close();

      const broken = await newPage(browser, { viewport });
      const brokenPage: Page = broken.page;
      await brokenPage.goto(`${unconfigured.url}/`);
      await brokenPage.getByRole('button', { name: 'Open chat' }).click();
      await brokenPage.getByRole('button', { name: 'Start chat' }).click();
      await brokenPage.getByText('Chat is not available right now.').waitFor();
      await brokenPage.locator('details summary').click();
      const path = join(OUT, `${device}-9-not-configured.png`);
      await brokenPage.screenshot({ path });
      shots.push(path);
      await broken.context.close();
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
