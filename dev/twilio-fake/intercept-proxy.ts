/**
 * A local HTTPS-intercepting proxy, so an unmodified client that only speaks
 * `https://<twilio host>` reaches the local Twilio fake (dev/twilio-fake/).
 *
 * `twilio-run deploy` talks to `https://serverless.twilio.com` and
 * `https://serverless-upload.twilio.com` through got, and honours
 * `HTTP_PROXY` (@twilio-labs/serverless-api adds an hpagent HttpsProxyAgent):
 * it sends `CONNECT <host>:443` here. For the hosts it is told to intercept,
 * this proxy answers the CONNECT itself and terminates TLS with a certificate
 * for those hosts, signed by a throwaway CA made for this run only (openssl,
 * in a temp folder, valid one day, removed on stop). The child trusts that CA
 * through `NODE_EXTRA_CA_CERTS` and nothing else does. Each decrypted request
 * goes to the fake as `http://127.0.0.1:<port>/<host>/<path>`, the form the
 * fake's routes use. Any other CONNECT target, or a plain-HTTP proxy request,
 * is refused and recorded: nothing leaves 127.0.0.1.
 *
 * @example
 *   const proxy = await InterceptProxy.start(mock.baseUrl, ['serverless.twilio.com']);
 *   spawn(cmd, args, { env: { ...env, HTTP_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: proxy.caFile } });
 *   expect(proxy.refused).toEqual([]);
 *   await proxy.stop();
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class InterceptProxy {
  /** `host:port` of every CONNECT this proxy tunnelled to the fake. */
  readonly intercepted: string[] = [];
  /** Every request it refused (another host, or plain HTTP through the proxy). */
  readonly refused: string[] = [];

  private readonly sockets = new Set<Socket>();
  private readonly proxy = createServer((req, res) => {
    this.refused.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(403).end('This test proxy only tunnels to the local Twilio fake.\n');
  });
  private readonly tls;

  private constructor(
    private readonly target: URL,
    private readonly hosts: readonly string[],
    private readonly dir: string,
  ) {
    this.tls = createHttpsServer(
      { key: readFileSync(join(dir, 'host.key')), cert: readFileSync(join(dir, 'host.pem')) },
      (req, res) => this.forward(req, res),
    );
    this.proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.track(socket);
      const [host = '', port = '443'] = (req.url ?? '').split(':');
      if (!this.hosts.includes(host) || port !== '443') {
        this.refused.push(`CONNECT ${req.url ?? ''}`);
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.intercepted.push(`${host}:${port}`);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      this.tls.emit('connection', socket);
    });
  }

  /** Starts a proxy on 127.0.0.1 that sends `hosts` (HTTPS) to the fake at `targetBaseUrl`. */
  static async start(targetBaseUrl: string, hosts: readonly string[]): Promise<InterceptProxy> {
    const dir = mkdtempSync(join(tmpdir(), 'intercept-ca-'));
    makeCertificates(dir, hosts);
    const proxy = new InterceptProxy(new URL(targetBaseUrl), hosts, dir);
    await new Promise<void>((resolve) => proxy.proxy.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** For HTTP_PROXY. */
  get url(): string {
    return `http://127.0.0.1:${(this.proxy.address() as AddressInfo).port}`;
  }

  /** The throwaway CA's certificate (PEM), for NODE_EXTRA_CA_CERTS. */
  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
    this.tls.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? '').split(':')[0] ?? '';
    if (!this.hosts.includes(host)) {
      this.refused.push(`${req.method ?? '?'} https://${req.headers.host ?? ''}${req.url ?? ''}`);
      res.writeHead(421).end();
      return;
    }
    const upstream = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: `/${host}${req.url ?? '/'}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

/** A CA, and one certificate for all `hosts` signed by it, in `dir` (openssl 3). */
function makeCertificates(dir: string, hosts: readonly string[]): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(
        `openssl (needed to make a throwaway test CA) failed or is missing: ${String(error)}`,
        { cause: error },
      );
    }
  };
  openssl([
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=Throwaway test CA of intercept-proxy.ts',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  writeFileSync(
    join(dir, 'host.ext'),
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\n` +
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl([
    'req',
    ...ec,
    '-keyout',
    'host.key',
    '-out',
    'host.csr',
    '-subj',
    `/CN=${hosts[0] ?? 'localhost'}`,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    'host.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'host.ext',
    '-out',
    'host.pem',
  ]);
}
