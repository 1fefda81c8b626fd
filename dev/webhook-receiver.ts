/**
 * A local HTTP receiver for the webhooks this service sends (the survey's):
 * records each request's headers and raw body, and answers as told (a
 * status, or a delay longer than the sender's timeout). Listens on
 * 127.0.0.1 only.
 *
 * @example
 *   const receiver = await startWebhookReceiver();
 *   // ... SURVEY_WEBHOOK_URL: receiver.url
 *   receiver.received[0].body; // the raw JSON, as signed
 *   await receiver.stop();
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as it arrived (what a signature covers). */
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** How the next requests are answered: a status (default 200), after `delayMs`. */
  answer: { status: number; delayMs: number };
  stop(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks/survey'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answer = { status: 200, delayMs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = () => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end('{}');
      };
      if (answer.delayMs > 0) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
