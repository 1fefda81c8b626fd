/**
 * What a visitor downloads (dist/assets), raw and gzip: webchat.js on first
 * load (with the widget CSS inside it), webchat-solver.js when the form is
 * shown, webchat-sdk.js on demand, and for scale the Conversations SDK alone,
 * minified the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ROOT } from '../../dev/local-runtime';
import { table } from './table';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The raw and gzip cells of a file's row. */
const sizes = (bytes: Buffer) => [kb(bytes.length), kb(gzipSync(bytes, { level: 9 }).length)];

/** @twilio/conversations alone, bundled and minified as the build does. */
async function sdkAlone(): Promise<Buffer> {
  const alone = await build({
    stdin: { contents: "export * from '@twilio/conversations';", resolveDir: ROOT },
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
  const after = sizes(readFileSync(join(assets, 'webchat-after.js')));
  const css = sizes(readFileSync(join(ROOT, 'client', 'styles', 'widget.css')));
  const forScale = sizes(await sdkAlone());
  const row = table('What a visitor downloads (dist/assets)', ['file', 'when'], ['raw', 'gzip']);
  row('webchat.js (widget, CSS included)', 'first load', ...widget);
  row('…of which the widget CSS', 'first load', ...css);
  row('webchat-solver.js (the challenge solver, in a worker)', 'form shown', ...solver);
  row('webchat-sdk.js (Conversations SDK + adapter)', 'idle, or chat start', ...sdk);
  row('webchat-after.js (survey, emailed transcript)', 'chat under way, if on', ...after);
  row('@twilio/conversations alone, minified (for scale)', '', ...forScale);
}
