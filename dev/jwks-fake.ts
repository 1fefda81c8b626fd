/**
 * A local stand-in for a company's JSON Web Key Set URL (CUSTOMER_JWKS_URL;
 * src/customer/verify-keys.ts fetches it), on 127.0.0.1, for tests, the bench
 * and doctor's check: no test can reach a real website.
 *
 * - `GET /.well-known/jwks.json` answers the public halves of an ES256 and
 *   an RS256 key pair it made at start (`kid`, `alg`, `use: sig`), as
 *   `application/jwk-set+json`. Anything but a GET on that path is a 404 or
 *   405; a request carrying credentials (Authorization, Cookie) is a 400, as
 *   the service must never send any. Every request is recorded.
 * - `mode` makes it fail like real key sets do: `down` (500), `hang` (never
 *   answers), `garbage` (200, not JSON), `empty` (a set with no keys),
 *   `foreign` (only a key of a kind the service cannot use: an Ed25519 one).
 * - `mint` signs a customer token with one of its private keys, as the
 *   company's backend would.
 *
 * @example
 *   const jwks = await JwksFake.start();
 *   const env = { ...TEST_ENV, ...jwks.env() };
 *   const customerToken = await jwks.mint({ sub: 'cus_42' }, 'ES256');
 *   expect(jwks.requests).toEqual([{ method: 'GET', path: JWKS_PATH, credentials: false }]);
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { CUSTOMER_ENV, mintCustomerToken, type MintOptions } from './customer-token';

export const JWKS_PATH = '/.well-known/jwks.json';

export type JwksMode = 'ok' | 'down' | 'hang' | 'garbage' | 'empty' | 'foreign';
export type JwksAlgorithm = 'ES256' | 'RS256';

export interface JwksRequest {
  method: string;
  path: string;
  /** Whether it carried an Authorization or Cookie header (it never should). */
  credentials: boolean;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export class JwksFake {
  readonly requests: JwksRequest[] = [];
  mode: JwksMode = 'ok';
  private readonly held: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    private readonly keys: Record<JwksAlgorithm, KeyPair>,
    private readonly foreignKey: JWK,
  ) {}

  static async start(): Promise<JwksFake> {
    const [es, rs, ed] = await Promise.all([
      keyPair('ES256', 'es-1'),
      keyPair('RS256', 'rs-1'),
      generateKeyPair('Ed25519', { extractable: true }),
    ]);
    const foreign = { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', use: 'sig' };
    const server = createServer();
    const fake = new JwksFake(server, { ES256: es, RS256: rs }, foreign);
    server.on('request', (req, res) => fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${JWKS_PATH}`;
  }

  /** The environment that points the service at this key set (no HS256 secret). */
  env(): Record<string, string> {
    return {
      CUSTOMER_JWKS_URL: this.url,
      CUSTOMER_TOKEN_ISSUER: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
      CUSTOMER_TOKEN_AUDIENCE: CUSTOMER_ENV.CUSTOMER_TOKEN_AUDIENCE,
    };
  }

  /** A customer token signed with this set's `alg` key, with its `kid` unless given. */
  mint(
    claims: Record<string, unknown> = {},
    alg: JwksAlgorithm = 'ES256',
    options: MintOptions = {},
  ): Promise<string> {
    const { kid, privateKey } = this.keys[alg];
    return mintCustomerToken(claims, { kid, ...options, alg, key: privateKey });
  }

  /** Answers every request still hanging, then closes. */
  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const credentials = req.headers.authorization !== undefined || req.headers.cookie !== undefined;
    this.requests.push({ method: req.method ?? '', path, credentials });
    if (path !== JWKS_PATH) return send(res, 404, { error: 'not found' });
    if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
    if (credentials) return send(res, 400, { error: 'a JWKS URL takes no credentials' });
    if (this.mode === 'hang') {
      this.held.push(res);
      return;
    }
    if (this.mode === 'down') return send(res, 500, { error: 'down' });
    if (this.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return;
    }
    const keys =
      this.mode === 'empty'
        ? []
        : this.mode === 'foreign'
          ? [this.foreignKey]
          : [this.keys.ES256.jwk, this.keys.RS256.jwk];
    send(res, 200, { keys }, 'application/jwk-set+json');
  }
}

async function keyPair(alg: JwksAlgorithm, kid: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}
