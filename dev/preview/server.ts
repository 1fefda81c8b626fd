/**
 * The preview's front door (http://localhost:PORT, loopback only):
 *
 *   /preview/client.js     the preview's ChatClient for the widget, with the
 *                          widget options from preview-options.json
 *   /preview/api/<action>  what the Conversations SDK would do for the customer
 *                          (Authorization: Bearer <the Access Token /start-chat gave>)
 *   /preview/media/<ME…>   the content of a file sent in a chat
 *   /agent                 the agent page; /agent/api/<action> what Flex does for it
 *   anything else          the real functions and assets (twilio-run), proxied;
 *                          `/` and `/index.html` get the preview's script first
 *
 * Same origin for all of it, so the demo page's strict CSP holds unchanged.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { contentTypeOf, MAX_ATTACHMENT_BYTES } from '../../client/lib/attachments';
import { newSid, PreviewError, type SimulatedFlex, type StoredMedia } from './simulated-flex';

export interface PreviewAssets {
  /** The customer page's script (dev/preview/customer-page.ts, bundled). */
  clientJs: string;
  agentJs: string;
  agentHtml: string;
  agentCss: string;
}

export interface PreviewServerOptions {
  port: number;
  runtimeUrl: string;
  flex: SimulatedFlex;
  /** Verifies the customer's Access Tokens (the preview's API_SECRET). */
  apiSecret: string;
  assets: PreviewAssets;
  /** The widget options to put on the page, read for each page load. */
  widgetOptions: () => Record<string, unknown>;
}

const JSON_LIMIT = 64 * 1024;

/** A string field, or '' for anything else. */
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
/** How long a poll waits for an event before answering with none. */
export const POLL_WAIT_MS = 20_000;

export async function startPreviewServer(options: PreviewServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      const status = error instanceof PreviewError ? error.status : 500;
      if (status === 500) console.error('preview:', error);
      if (!res.headersSent) {
        send(res, status, {
          error: error instanceof Error ? error.message : 'Something went wrong',
        });
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}

export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function handle(
  o: PreviewServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://preview');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/preview/client.js') {
    const config = `window.FlexWebchatConfig=Object.assign({},window.FlexWebchatConfig,${JSON.stringify(o.widgetOptions())});\n`;
    return sendText(res, 'text/javascript', config + o.assets.clientJs);
  }
  if (req.method === 'GET' && path.startsWith('/preview/media/')) return sendMedia(o, res, path);
  if (req.method === 'GET' && (path === '/agent' || path === '/agent/')) {
    return sendText(res, 'text/html', o.assets.agentHtml, {
      'Content-Security-Policy':
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'",
    });
  }
  if (req.method === 'GET' && path === '/agent/agent.js')
    return sendText(res, 'text/javascript', o.assets.agentJs);
  if (req.method === 'GET' && path === '/agent/agent.css')
    return sendText(res, 'text/css', o.assets.agentCss);
  if (path.startsWith('/preview/api/') || path.startsWith('/agent/api/')) {
    if (req.method !== 'POST') throw new PreviewError(405, 'Use POST');
    refuseOtherSites(req);
    const action = path.slice(path.lastIndexOf('/') + 1);
    const answer = path.startsWith('/agent/')
      ? await agentAction(o.flex, action, req)
      : await customerAction(o, action, req);
    return send(res, 200, answer);
  }
  const isPage = req.method === 'GET' && (path === '/' || path === '/index.html');
  return proxy(o.runtimeUrl, req, res, isPage);
}

// --- the customer's side: what the Conversations SDK does --------------------

async function customerAction(
  o: PreviewServerOptions,
  action: string,
  req: IncomingMessage,
): Promise<unknown> {
  const identity = identityOf(req, o.apiSecret);
  const { flex } = o;
  if (action === 'media') {
    const { conversationSid, text, file } = await readUpload(req);
    const c = participantConversation(flex, conversationSid, identity);
    return flex.send(c, identity, text, [file]);
  }
  const body = await readJson(req);
  const c = participantConversation(flex, str(body.conversationSid), identity);
  switch (action) {
    case 'conversation':
      return { sid: c.sid, status: flex.view(c, 0).status, seq: flex.lastSeq };
    case 'messages': {
      const upTo = typeof body.upToIndex === 'number' ? body.upToIndex : undefined;
      const { messages, hasOlder } = flex.view(c, Number(body.pageSize) || 30, upTo);
      return { messages, hasOlder };
    }
    case 'participants':
      return flex.view(c, 0).participants;
    case 'send':
      return flex.send(c, identity, str(body.text));
    case 'typing':
      flex.typing(c, identity);
      return {};
    case 'read':
      flex.markAllRead(c, identity);
      return {};
    case 'poll':
      return flex.poll(Number(body.since) || 0, c.sid, POLL_WAIT_MS);
    default:
      throw new PreviewError(404, `No preview action ${action}`);
  }
}

/** The identity of a valid Access Token from `Authorization: Bearer …`. */
function identityOf(req: IncomingMessage, apiSecret: string): string {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) throw new PreviewError(401, 'An Access Token is required');
  try {
    const payload = jwt.verify(token, apiSecret, { algorithms: ['HS256'] }) as {
      grants?: { identity?: string };
    };
    const identity = payload.grants?.identity;
    if (identity) return identity;
  } catch (error) {
    throw new PreviewError(
      401,
      error instanceof jwt.TokenExpiredError ? 'token_expired' : 'Invalid token',
    );
  }
  throw new PreviewError(401, 'The token has no identity');
}

/** The conversation if `identity` takes part in it; 404 otherwise, as Twilio answers. */
function participantConversation(flex: SimulatedFlex, sid: string, identity: string) {
  const c = flex.conversation(sid);
  if (!c || !flex.participantOf(c, identity)) throw new PreviewError(404, 'Conversation not found');
  return c;
}

// --- the agent's side: what Flex does ----------------------------------------

async function agentAction(
  flex: SimulatedFlex,
  action: string,
  req: IncomingMessage,
): Promise<unknown> {
  if (action === 'media') {
    const { conversationSid, text, file, identity } = await readUpload(req);
    return flex.send(participantConversation(flex, conversationSid, identity), identity, text, [
      file,
    ]);
  }
  const body = await readJson(req);
  if (action === 'chats') return { chats: flex.chats(), seq: flex.lastSeq };
  if (action === 'poll') return flex.poll(Number(body.since) || 0, undefined, POLL_WAIT_MS);
  if (action === 'join') {
    const name = str(body.name).trim().slice(0, 64);
    if (!name) throw new PreviewError(400, 'Give your name first');
    return flex.join(str(body.taskSid), name);
  }
  const c = flex.conversation(str(body.conversationSid));
  if (!c) throw new PreviewError(404, 'Conversation not found');
  const identity = str(body.identity);
  switch (action) {
    case 'conversation':
      return flex.view(c);
    case 'end':
      flex.end(c);
      return {};
    case 'send':
      return flex.send(participantConversation(flex, c.sid, identity), identity, str(body.text));
    case 'typing':
      flex.typing(c, identity);
      return {};
    case 'read':
      flex.markAllRead(c, identity);
      return {};
    default:
      throw new PreviewError(404, `No agent action ${action}`);
  }
}

/**
 * Another website's page could post a form here (multipart needs no CORS
 * preflight): browsers name the page's origin, which must be this one.
 */
function refuseOtherSites(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    throw new PreviewError(403, 'Only the preview pages may call this');
  }
}

// --- bodies ------------------------------------------------------------------

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PreviewError(413, 'Too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!req.headers['content-type']?.startsWith('application/json')) {
    throw new PreviewError(415, 'Send JSON');
  }
  try {
    const parsed: unknown = JSON.parse((await readBody(req, JSON_LIMIT)).toString('utf8') || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // below
  }
  throw new PreviewError(400, 'Send a JSON object');
}

/** A multipart form: conversationSid, optional text and identity, and one file (Flex's rules). */
async function readUpload(req: IncomingMessage) {
  const raw = await readBody(req, MAX_ATTACHMENT_BYTES + 64 * 1024);
  const form = await new Response(new Uint8Array(raw), {
    headers: { 'content-type': req.headers['content-type'] ?? '' },
  })
    .formData()
    .catch(() => {
      throw new PreviewError(400, 'Send a multipart form');
    });
  const file = form.get('file');
  if (!(file instanceof Blob)) throw new PreviewError(400, 'Attach one file');
  const filename = file.name || 'file';
  const contentType = contentTypeOf(filename);
  if (!contentType) throw new PreviewError(415, 'Flex web chat does not accept this type of file');
  if (file.size > MAX_ATTACHMENT_BYTES) throw new PreviewError(413, 'Too large');
  const text = form.get('text');
  const stored: StoredMedia = {
    sid: newSid('ME'),
    filename,
    contentType,
    bytes: Buffer.from(await file.arrayBuffer()),
  };
  return {
    conversationSid: str(form.get('conversationSid')),
    identity: str(form.get('identity')),
    text: typeof text === 'string' && text !== '' ? text : null,
    file: stored,
  };
}

// --- answers -----------------------------------------------------------------

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

function sendText(
  res: ServerResponse,
  type: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(200, {
      'Content-Type': `${type}; charset=utf-8`,
      'Cache-Control': 'no-store',
      ...headers,
    })
    .end(text);
}

function sendMedia(o: PreviewServerOptions, res: ServerResponse, path: string): void {
  const media = o.flex.media.get(path.slice('/preview/media/'.length));
  if (!media) throw new PreviewError(404, 'No such file');
  res
    .writeHead(200, {
      'Content-Type': media.contentType,
      'Content-Disposition': `inline; filename="${media.filename.replace(/[^\w.-]/g, '_')}"`,
      'X-Content-Type-Options': 'nosniff',
    })
    .end(media.bytes);
}

/** The demo page gets the preview's script before webchat.js, so the widget uses the preview's ChatClient. */
function injectPreviewScript(html: string): string {
  const tag = '<script src="/preview/client.js"></script>\n    ';
  const at = html.indexOf('<script src="/webchat.js"');
  return at >= 0
    ? html.slice(0, at) + tag + html.slice(at)
    : html.replace('</head>', `${tag}</head>`);
}

function proxy(
  runtimeUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
  isPage: boolean,
): void {
  const headers = { ...req.headers };
  if (isPage) delete headers['accept-encoding'];
  const upstream = request(
    new URL(req.url ?? '/', runtimeUrl),
    { method: req.method, headers },
    (answer) => {
      if (!isPage || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const html = injectPreviewScript(Buffer.concat(chunks).toString('utf8'));
        const { 'content-length': _length, ...rest } = answer.headers;
        res.writeHead(200, { ...rest, 'Cache-Control': 'no-store' }).end(html);
      });
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) send(res, 502, { error: 'The local functions are not answering' });
    else res.end();
  });
  req.pipe(upstream);
}
