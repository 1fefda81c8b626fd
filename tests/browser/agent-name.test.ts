/**
 * Agent privacy in a real Chromium on the demo page: with `agentName` set,
 * the agent's full friendly name appears nowhere the customer looks (their
 * messages, "is typing…", joined/left notices, the screen-reader
 * announcement, the transcript), also after a transfer to another agent.
 */
import type { Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  describeInBrowser,
  eventually,
  fake,
  newPage,
  startDemoChat,
  useBrowserStack,
} from '../../dev/browser';
import type { WidgetOptions } from '../../client/lib/config';

const suite = useBrowserStack(TEST_ENV);

async function chatWith(options: WidgetOptions, locale?: string) {
  const opened = await newPage(suite.browser, locale ? { locale } : {});
  await opened.page.addInitScript((o) => {
    window.FlexWebchatConfig = { ...window.FlexWebchatConfig, ...o };
  }, options);
  return opened;
}

/** Everything the customer can see or hear in the widget, as text. */
const widgetText = (page: Page) =>
  page.locator('[data-flex-webchat]').evaluate((host) => host.shadowRoot?.textContent ?? '');

async function transcript(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'End chat' }).click();
  await page.getByRole('button', { name: 'End chat' }).last().click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download transcript' }).click();
  const chunks = await (await (await download).createReadStream()).toArray();
  return Buffer.concat(chunks as Buffer[]).toString('utf8');
}

describeInBrowser('agent privacy', () => {
  it('shows agents by first name, through a transfer', async () => {
    const { page, problems, context } = await chatWith({ agentName: 'first' });
    await startDemoChat(page, suite.runtime.url);
    await fake(page, (c) => {
      c.agentJoins('Alex Morgan');
      c.agentTyping(true);
    });
    await page.getByText('Alex joined the chat').waitFor();
    await page.getByText('Alex is typing…').waitFor();
    await fake(page, (c) => c.agentSays('Hi, I am transferring you.'));
    await eventually(async () =>
      expect(await page.locator('[aria-live="polite"].fw-sr-only').textContent()).toBe(
        'Alex says: Hi, I am transferring you.',
      ),
    );
    await fake(page, (c) => {
      c.agentLeaves();
      c.agentJoins('Sam Lee-Ortega');
    });
    await page.getByText('Alex left the chat').waitFor();
    await page.getByText('Sam joined the chat').waitFor();
    await fake(page, (c) => c.agentSays('Sam here.'));
    expect(await page.locator('.fw-from-agent .fw-author').last().textContent()).toBe('Sam');
    const shown = await widgetText(page);
    expect(shown).not.toContain('Morgan');
    expect(shown).not.toContain('Lee-Ortega');
    expect(shown).not.toContain('@example.com');
    expect(await transcript(page)).not.toMatch(/Morgan|Lee-Ortega|@example\.com/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows every agent by a role label: the configured one, or the locale’s', async () => {
    const { page, context } = await chatWith({ agentName: 'role', agentRoleLabel: 'Support' });
    await startDemoChat(page, suite.runtime.url);
    await fake(page, (c) => {
      c.agentJoins('Alex Morgan');
      c.agentTyping(true);
    });
    await page.getByText('Support joined the chat').waitFor();
    await page.getByText('Support is typing…').waitFor();
    await fake(page, (c) => c.agentSays('Hello'));
    await page.locator('.fw-from-agent', { hasText: 'Hello' }).waitFor();
    expect(await page.locator('.fw-from-agent .fw-author').textContent()).toBe('Support');
    expect(await widgetText(page)).not.toContain('Alex');
    await context.close();

    const es = await chatWith({ agentName: 'role' }, 'es-ES');
    await es.page.goto(`${suite.runtime.url}/`);
    await es.page.getByRole('button', { name: 'Abrir el chat' }).click();
    await es.page.getByLabel('Nombre').fill('Ana');
    await es.page.getByRole('button', { name: 'Iniciar chat' }).click();
    await es.page.getByRole('textbox', { name: 'Mensaje' }).waitFor();
    await fake(es.page, (c) => c.agentJoins('Alex Morgan'));
    await es.page.getByText('Agente se unió al chat').waitFor();
    await es.context.close();
  });

  it('shows the full name by default', async () => {
    const { page, context } = await chatWith({});
    await startDemoChat(page, suite.runtime.url);
    await fake(page, (c) => c.agentJoins('Alex Morgan'));
    await page.getByText('Alex Morgan joined the chat').waitFor();
    await context.close();
  });
});
