/**
 * What a visitor downloads (dist/assets), raw and gzip: webchat.js on first
 * load (with the widget CSS inside it), webchat-solver.js when the form is
 * shown, webchat-customer.js on pages with a signed-in customer,
 * webchat-sdk.js on demand (with the Markdown formatter, also sized on its
 * own), and for scale the Conversations SDK alone, minified the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { ROOT } from '../../dev/local-runtime';
import { table } from './table';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The raw and gzip cells of a file's row. */
const sizes = (bytes: Buffer) => [kb(bytes.length), kb(gzipSync(bytes, { level: 9 }).length)];

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

export async function pageWeight(): Promise<void> {
  const assets = join(ROOT, 'dist', 'assets');
  const widget = sizes(readFileSync(join(assets, 'webchat.js')));
  const sdk = sizes(readFileSync(join(assets, 'webchat-sdk.js')));
  const solver = sizes(readFileSync(join(assets, 'webchat-solver.js')));
  const customer = sizes(readFileSync(join(assets, 'webchat-customer.js')));
  const after = sizes(readFileSync(join(assets, 'webchat-after.js')));
  // Minified as scripts/build.ts puts it into webchat.js.
  const cssText = readFileSync(join(ROOT, 'client', 'styles', 'widget.css'), 'utf8');
  const css = sizes(Buffer.from((await transform(cssText, { loader: 'css', minify: true })).code));
  const forScale = sizes(await sdkAlone());
  const markdown = sizes(await sdkAlone("export * from './client/lib/markdown';"));
  const row = table('What a visitor downloads (dist/assets)', ['file', 'when'], ['raw', 'gzip']);
  row('webchat.js (widget, CSS included)', 'first load', ...widget);
  row('…of which the widget CSS (minified)', 'first load', ...css);
  row('webchat-solver.js (the challenge solver, in a worker)', 'form shown', ...solver);
  row('webchat-customer.js (signed-in customers)', 'pages with a customer', ...customer);
  row(
    'webchat-sdk.js (Conversations SDK + adapter + Markdown + alerts)',
    'intent, or chat start',
    ...sdk,
  );
  row('…of which the Markdown formatter (marked + client/lib/markdown.ts)', '', ...markdown);
  row('webchat-after.js (survey, emailed transcript)', 'chat under way, if on', ...after);
  row('@twilio/conversations alone, minified (for scale)', '', ...forScale);
}
