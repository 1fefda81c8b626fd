/**
 * State 9: a service with no configuration; starting a chat shows that chat
 * is not available, with the details opened.
 */
import { type Scene } from './camera';

/** The scene on the unconfigured service at `baseUrl`. */
export const notConfigured =
  (baseUrl: string): Scene =>
  async (page, shot) => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Chat is not available right now.').waitFor();
    await page.locator('details summary').click();
    await shot('9-not-configured', 0);
  };
