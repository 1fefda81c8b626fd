/**
 * Starts the whole preview (what `npm run preview` runs): the local Twilio
 * fake, the real functions on it (twilio-run on dist/, with the generated
 * configuration of env.ts), the simulated Flex over the fake's state, and the
 * preview server in front (server.ts). `stop()` ends all of it.
 *
 * @example
 *   const preview = await startPreview({ port: 3000 });
 *   // http://localhost:3000/ (the demo page) and http://localhost:3000/agent
 *   await preview.stop();
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import twilio from 'twilio';
import { ROOT, startLocalRuntime, type LocalRuntime } from '../local-runtime';
import { TwilioMock } from '../twilio-fake/twilio-mock';
import { PREVIEW_PUBLIC_BASE_URL, previewEnv, type PreviewEnv } from './env';
import { serverPort, startPreviewServer, type PreviewAssets } from './server';
import { SimulatedFlex } from './simulated-flex';

/** The site owner's widget options for the preview (docs/preview.md). */
export const OPTIONS_FILE = join(ROOT, 'preview-options.json');

export interface Preview {
  url: string;
  port: number;
  env: PreviewEnv;
  mock: TwilioMock;
  flex: SimulatedFlex;
  runtime: LocalRuntime;
  stop: () => Promise<void>;
}

export interface PreviewOptions {
  port: number;
  /** Check every request to the fake against Twilio's OpenAPI specs (tests do). */
  validate?: boolean;
  /** Where the widget options come from (default: preview-options.json). */
  optionsFile?: string;
}

async function bundle(file: string): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, file)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    logLevel: 'warning',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function loadAssets(): Promise<PreviewAssets> {
  const [clientJs, agentJs] = await Promise.all([
    bundle('customer-page.ts'),
    bundle('agent-page.ts'),
  ]);
  return {
    clientJs,
    agentJs,
    agentHtml: readFileSync(join(__dirname, 'agent.html'), 'utf8'),
    agentCss: readFileSync(join(__dirname, 'agent.css'), 'utf8'),
  };
}

/**
 * The widget options in `file` (a JSON object of FlexWebchatConfig options),
 * read at each page load so an edit shows on reload. A broken file is said
 * in the terminal and ignored.
 */
export function readWidgetOptions(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    console.error(`${file} must hold a JSON object of widget options; ignored.`);
  } catch (error) {
    console.error(
      `${file} is not valid JSON (${error instanceof Error ? error.message : 'unreadable'}); ignored.`,
    );
  }
  return {};
}

/** Twilio's delivery of a webhook to `url`: signed with the Auth Token, sent to the local runtime. */
function webhookDelivery(env: PreviewEnv, runtimeUrl: string) {
  return async (url: string, params: Record<string, string>): Promise<void> => {
    if (!url.startsWith(`${PREVIEW_PUBLIC_BASE_URL}/`)) return; // nowhere Twilio could reach
    const form = { ...params, AccountSid: env.ACCOUNT_SID };
    const response = await fetch(new URL(new URL(url).pathname, runtimeUrl), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(env.AUTH_TOKEN, url, form),
      },
      body: new URLSearchParams(form).toString(),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  };
}

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const env = previewEnv(options.port);
  const assets = await loadAssets();
  const mock = await TwilioMock.start({ validate: options.validate ?? false });
  mock.acceptCredentials(
    (username, password) => username === env.ACCOUNT_SID && password === env.AUTH_TOKEN,
  );
  let runtime: LocalRuntime | undefined;
  let server: Server | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const stop = async () => {
    if (ticker) clearInterval(ticker);
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
    await runtime?.stop();
    await mock.stop();
  };
  try {
    runtime = await startLocalRuntime(env, { mockUrl: mock.baseUrl });
    const flex = new SimulatedFlex(
      mock,
      env.CONVERSATIONS_SERVICE_SID,
      webhookDelivery(env, runtime.url),
    );
    ticker = setInterval(() => flex.tick(), 100);
    server = await startPreviewServer({
      port: options.port,
      runtimeUrl: runtime.url,
      flex,
      apiSecret: env.API_SECRET,
      assets,
      widgetOptions: () => readWidgetOptions(options.optionsFile ?? OPTIONS_FILE),
    });
    const port = serverPort(server);
    return { url: `http://localhost:${port}`, port, env, mock, flex, runtime, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
