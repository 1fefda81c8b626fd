/**
 * Photographing a scene: a fresh browser context at one device's viewport
 * (with the fake chat client), and a shot function that saves
 * screenshots/<device>-<name>.png and records its path.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, newPage, PHONE } from '../../dev/browser';
import { ROOT } from '../../dev/local-runtime';

export const OUT = join(ROOT, 'screenshots');

export const DEVICES = [
  { name: 'desktop', viewport: DESKTOP },
  { name: 'phone', viewport: PHONE },
] as const;

export type Device = (typeof DEVICES)[number];

/** Saves the page as `<device>-<name>.png`, after letting it settle (ms). */
export type Shot = (name: string, settleMs?: number) => Promise<void>;

/** Steps through some of the widget's states on a page, shooting each. */
export type Scene = (page: Page, shot: Shot) => Promise<void>;

export async function photograph(
  browser: Browser,
  device: Device,
  shots: string[],
  scene: Scene,
): Promise<void> {
  const { page, context } = await newPage(browser, { viewport: device.viewport });
  const shot: Shot = async (name, settleMs = 150) => {
    const path = join(OUT, `${device.name}-${name}.png`);
    if (settleMs > 0) await page.waitForTimeout(settleMs);
    await page.screenshot({ path });
    shots.push(path);
  };
  try {
    await scene(page, shot);
  } finally {
    await context.close();
  }
}
