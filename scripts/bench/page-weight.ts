/**
 * What a visitor downloads (dist/assets), raw and gzip: webchat.js on every
 * page view (the launcher, its CSS and strings, the public API: the shell),
 * webchat-ui.js at the first sign of intent (the panel, the form, the chat,
 * their CSS and strings), webchat-solver.js when the form is shown,
 * webchat-customer.js on pages with a signed-in customer, webchat-sdk.js on
 * intent or at start (with the Markdown formatter, also sized on its own),
 * and for scale the Conversations SDK alone, minified the same way. Then what
 * is in webchat.js and webchat-ui.js (esbuild's metafile: the largest inputs,
 * minified, before gzip), and the JavaScript a page view really fetches with
 * no interaction until the network is idle, in headless Chromium.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { browserAvailable, startBrowserStack } from '../../dev/browser';
import { freePort, ROOT } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { browserBundleOptions } from '../build';
import { print, table } from './table';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gzip = (bytes: Buffer | Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** The raw and gzip cells of a file's row. */
const sizes = (bytes: Buffer) => [kb(bytes.length), kb(gzip(bytes))];

/** A module alone (`@twilio/conversations`, the Markdown formatter), bundled and minified as the build does. */
async function sdkAlone(contents = "export * from '@twilio/conversations';"): Promise<Buffer> {
  const alone = await build({
    stdin: { contents, resolveDir: ROOT },
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'silent',
  });
  return Buffer.from(alone.outputFiles[0]?.contents ?? new Uint8Array());
}

/** The largest inputs of a browser bundle, as the build makes it (bytes in the output, minified). */
async function topInputs(entry: string, count: number): Promise<void> {
  const result = await build({
    ...browserBundleOptions,
    entryPoints: [join(ROOT, 'client', entry)],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {}).sort(
    ([, a], [, b]) => b.bytesInOutput - a.bytesInOutput,
  );
  const row = table(
    `What is in ${entry.replace(/\.ts$/, '.js')} (esbuild metafile)`,
    ['input'],
    ['minified'],
  );
  for (const [input, { bytesInOutput }] of inputs.slice(0, count)) row(input, kb(bytesInOutput));
  const rest = inputs.slice(count).reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
  row(`${inputs.length - count} more`, kb(rest));
}

/**
 * A page with nothing but the widget's script tag, visited with no
 * interaction until the network is idle (and past an idle moment): the
 * JavaScript fetched, by file, gzip (level 9, as a server would send it).
 */
async function untilIdle(): Promise<void> {
  if (!browserAvailable) {
    print('\nJavaScript until network idle skipped: no Chromium.');
    return;
  }
  const port = await freePort();
  let base = '';
  const site = createServer((_req, res) => {
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><title>Shop</title><h1>Shop</h1><script src="${base}/webchat.js" async></script>`,
      );
  });
  await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));
  const stack = await startBrowserStack(TEST_ENV, { validate: false });
  base = stack.runtime.url;
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    const scripts: { name: string; body: Promise<Buffer> }[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') {
        scripts.push({ name: new URL(r.url()).pathname.slice(1), body: r.body() });
      }
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => new Promise((done) => requestIdleCallback(done, { timeout: 2000 })));
    await page.waitForLoadState('networkidle');
    await context.close();
    const row = table(
      'JavaScript a page view fetches with no interaction, until the network is idle (headless Chromium)',
      ['file'],
      ['gzip'],
    );
    let total = 0;
    for (const { name, body } of scripts) {
      const bytes = gzip(await body);
      total += bytes;
      row(name, kb(bytes));
    }
    row('total (budget: 20 KB)', kb(total));
  } finally {
    site.close();
    await stack.stop();
  }
}

export async function pageWeight(): Promise<void> {
  const assets = join(ROOT, 'dist', 'assets');
  const file = (name: string) => sizes(readFileSync(join(assets, name)));
  // Minified as scripts/build.ts puts them into webchat.js and webchat-ui.js.
  const css = async (name: string) => {
    const text = readFileSync(join(ROOT, 'client', 'styles', name), 'utf8');
    return sizes(Buffer.from((await transform(text, { loader: 'css', minify: true })).code));
  };
  const forScale = sizes(await sdkAlone());
  const markdown = sizes(await sdkAlone("export * from './client/lib/markdown';"));
  const row = table('What a visitor downloads (dist/assets)', ['file', 'when'], ['raw', 'gzip']);
  row(
    'webchat.js (launcher, public API, events: the shell)',
    'every page view',
    ...file('webchat.js'),
  );
  row('…of which the launcher CSS (minified)', '', ...(await css('launcher.css')));
  row(
    'webchat-ui.js (panel, form, chat)',
    'intent, open, or a chat to resume',
    ...file('webchat-ui.js'),
  );
  row('…of which the panel CSS (minified)', '', ...(await css('widget.css')));
  row(
    'webchat-solver.js (the challenge solver, in a worker)',
    'form shown',
    ...file('webchat-solver.js'),
  );
  row(
    'webchat-customer.js (signed-in customers)',
    'pages with a customer',
    ...file('webchat-customer.js'),
  );
  row(
    'webchat-sdk.js (Conversations SDK + adapter + Markdown + alerts)',
    'intent, or chat start',
    ...file('webchat-sdk.js'),
  );
  row('…of which the Markdown formatter (marked + client/lib/markdown.ts)', '', ...markdown);
  row(
    'webchat-after.js (survey, emailed transcript)',
    'chat under way, if on',
    ...file('webchat-after.js'),
  );
  row('@twilio/conversations alone, minified (for scale)', '', ...forScale);
  await topInputs('webchat.ts', 12);
  await topInputs('webchat-ui.ts', 12);
  await untilIdle();
}
