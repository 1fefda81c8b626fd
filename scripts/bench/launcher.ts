/**
 * Time until the launcher is interactive, in headless Chromium (Debian's)
 * against the real local runtime (twilio-run) serving dist/ with the local
 * Twilio mock: first visits, each in a new browser context (empty cache, a
 * fresh renderer), split into the widget's own time and twilio-run's serving.
 * The widget marks `flex-webchat:ready` when its launcher is interactive.
 */
import { type Browser } from 'playwright-core';
import { browserAvailable, startBrowserStack } from '../../dev/browser';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { fmt, median } from './measure';
import { print, table } from './table';

/** Visits that warm the server and the browser before the measured ones. */
const WARM_UP = 2;

interface Visit {
  /** navigation start -> launcher ready */
  ready: number;
  /** webchat.js received -> launcher ready */
  own: number;
  /** navigation start -> index.html received */
  html: number;
  /** webchat.js requested -> received */
  script: number;
}

async function firstVisit(browser: Browser, url: string): Promise<Visit> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.fw-launcher').waitFor();
  const visit = await page.evaluate((): Visit => {
    const ready = performance.getEntriesByName('flex-webchat:ready')[0]?.startTime ?? NaN;
    const script = performance
      .getEntriesByType('resource')
      .find((e) => e.name.endsWith('/webchat.js')) as PerformanceResourceTiming | undefined;
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return {
      ready,
      own: ready - (script?.responseEnd ?? NaN),
      html: nav?.responseEnd ?? NaN,
      script: (script?.responseEnd ?? NaN) - (script?.startTime ?? NaN),
    };
  });
  // Let this visit's background work (idle SDK fetch, the demo's /status)
  // finish, so the next first visit starts on a quiet machine.
  await page.waitForLoadState('networkidle');
  await new Promise((r) => setTimeout(r, 300));
  await context.close();
  return visit;
}

function printVisits(visits: Visit[]): void {
  const row = table(
    `Launcher interactive on localhost, headless Chromium, first visits (${visits.length} runs)`,
    ['measure'],
    ['median', 'min', 'max'],
  );
  const figures = (label: string, measure: keyof Visit) => {
    const v = visits.map((visit) => visit[measure]);
    row(label, `${fmt(median(v))} ms`, `${fmt(Math.min(...v))} ms`, `${fmt(Math.max(...v))} ms`);
  };
  figures('navigation start -> launcher ready', 'ready');
  figures("webchat.js received -> launcher ready (the widget's own time)", 'own');
  figures('…navigation start -> index.html received (twilio-run)', 'html');
  figures('…webchat.js requested -> received (twilio-run)', 'script');
}

export async function launcherTiming(runs = 21): Promise<void> {
  if (!browserAvailable) {
    print('\nLauncher timing skipped: no Chromium (apt-get install chromium).');
    return;
  }
  const stack = await startBrowserStack(TEST_ENV, { validate: false });
  const { runtime, browser } = stack;
  try {
    const visits: Visit[] = [];
    for (let i = 0; i < runs + WARM_UP; i++) {
      const visit = await firstVisit(browser, `${runtime.url}/`);
      if (i >= WARM_UP) visits.push(visit);
    }
    printVisits(visits);
  } finally {
    await stack.stop();
  }
}
