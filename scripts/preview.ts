/**
 * npm run preview (and `npm start` with no .env): the demo page and a local
 * agent page against a simulated Flex (dev/preview/), so the widget can be
 * tried and tuned with no Twilio account. Builds dist/ first, serves on PORT
 * or `--port N` (default 3000). Nothing of it is deployed (dev/ is not built
 * into dist/), and `npm run deploy` refuses its configuration.
 */
import { createServer } from 'node:net';
import { buildAll } from './build';
import { startArgs } from './start-args';

/** Whether the preview can listen on `port` (checked first: starting the rest takes seconds). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port, '127.0.0.1');
  });
}

const busy = (port: number) =>
  new Error(
    `Port ${port} is already in use. Stop what runs there, or run: npm run preview -- --port ${port + 1}`,
  );

export async function runPreview(port: number): Promise<void> {
  const started = Date.now();
  if (!(await portIsFree(port))) throw busy(port);
  await buildAll();
  // Loaded only now: dev/ is the preview's, not the service's.
  const { startPreview, OPTIONS_FILE } = await import('../dev/preview/main');
  const preview = await startPreview({ port }).catch((error: unknown) => {
    // Taken meanwhile (between the check and the listen).
    throw (error as { code?: string }).code === 'EADDRINUSE' ? busy(port) : error;
  });
  console.log(
    `\nPreview ready in ${((Date.now() - started) / 1000).toFixed(1)} s: a simulated Flex on this computer, no Twilio account.\n\n` +
      `  Customer (the demo page):  ${preview.url}/\n` +
      `  Agent:                     ${preview.url}/agent\n\n` +
      `Widget options (theme, form, strings): ${OPTIONS_FILE} (docs/preview.md); reload the page to see a change.\n` +
      'To connect your Twilio account: npm run setup, then npm start. Ctrl-C stops the preview.\n',
  );
  const stop = () => {
    void preview.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  const { port } = startArgs(process.argv.slice(2), process.env);
  runPreview(port).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
