/**
 * npm run build: compiles the service into dist/, which .twilioserverlessrc
 * points twilio-run (start and deploy) at.
 *
 *   functions/<name>.ts  -> dist/functions/<name>.js   one self-contained bundle
 *                                                       per function; npm packages
 *                                                       stay external (installed
 *                                                       from "dependencies" on deploy)
 *   assets/**            -> dist/assets/**             copied as they are
 *   client/<entry>.ts    -> dist/assets/<entry>.js     browser bundles: webchat.js (the
 *                                                       launcher, on every page view),
 *                                                       webchat-ui.js (the panel, on
 *                                                       intent), webchat-sdk.js (the
 *                                                       Conversations SDK, on intent),
 *                                                       the other lazily loaded parts,
 *                                                       demo.js
 *
 * Bundling each function is what makes shared code in src/ safe on Twilio:
 * deployed functions cannot rely on relative requires between files. No
 * source maps are written: everything in dist/assets is public.
 */
import { build, transform, type BuildOptions, type Plugin } from 'esbuild';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const dist = join(root, 'dist');

/** Entry points of a folder: its .ts files, minus declarations and tests. */
async function entries(folder: string): Promise<string[]> {
  const files = await readdir(join(root, folder), { recursive: true });
  return files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(root, folder, f));
}

const BROWSERS = ['es2020', 'chrome90', 'firefox90', 'safari15'];

/**
 * The widget's CSS goes into its bundles as a string (a constructed
 * stylesheet, client/view/styles.ts): launcher.css into webchat.js, widget.css
 * into webchat-ui.js; minified first (comments and indentation were a quarter
 * of their size).
 */
const minifiedCss: Plugin = {
  name: 'minified-css-text',
  setup(plugin) {
    plugin.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const css = await readFile(path, 'utf8');
      const { code } = await transform(css, { loader: 'css', minify: true, target: BROWSERS });
      return { contents: code, loader: 'text' };
    });
  },
};

/**
 * Packages that ship only ES modules (jose 6) are bundled in, not left to
 * `require`: Node loads ES modules with `require` only from 20.19 / 22.12 on,
 * and a Function's runtime may be older within its major version.
 */
const ESM_ONLY = /^jose$/;
const bundleEsmOnly: Plugin = {
  name: 'bundle-esm-only',
  setup(build) {
    build.onResolve({ filter: ESM_ONLY }, (args) => ({
      path: require.resolve(args.path, { paths: [args.resolveDir] }),
    }));
  },
};

export async function buildAll(): Promise<void> {
  await rm(dist, { recursive: true, force: true });
  await mkdir(join(dist, 'assets'), { recursive: true });

  await build({
    entryPoints: await entries('functions'),
    outdir: join(dist, 'functions'),
    outbase: join(root, 'functions'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    plugins: [bundleEsmOnly],
    legalComments: 'none',
    logLevel: 'warning',
  });

  await cp(join(root, 'assets'), join(dist, 'assets'), { recursive: true });
  // twilio-run and Twilio serve `/` from the asset at /assets/index.html.
  await cp(join(root, 'assets', 'index.html'), join(dist, 'assets', 'assets', 'index.html'));

  // Browser bundles: each top-level client/*.ts (browserBundleOptions).
  const clientEntries = (await readdir(join(root, 'client'), { withFileTypes: true }))
    .filter((e) => e.isFile() && /(?<!\.d|\.test)\.ts$/.test(e.name))
    .map((e) => join(root, 'client', e.name));
  await build({
    ...browserBundleOptions,
    entryPoints: clientEntries,
    outdir: join(dist, 'assets'),
  });
}

/**
 * How every browser bundle is built (also what scripts/bench/page-weight.ts
 * sizes): each a classic script (IIFE), so a plain <script src> works on any
 * site, with or without a module CSP.
 */
export const browserBundleOptions = {
  bundle: true,
  platform: 'browser',
  target: BROWSERS,
  format: 'iife',
  minify: true,
  plugins: [minifiedCss],
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  legalComments: 'none',
  logLevel: 'warning',
} satisfies BuildOptions;

if (require.main === module) {
  const started = Date.now();
  buildAll().then(
    () => console.log(`Built dist/ in ${Date.now() - started} ms`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
