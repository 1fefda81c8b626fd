/**
 * A local stand-in for SendGrid's v3 Mail Send API (`POST /v3/mail/send`),
 * for tests and the bench: it checks each request the way SendGrid does
 * (Bearer API key, JSON, `personalizations[].to[].email`, `from.email`,
 * `subject`, `content[]` with text/plain before text/html) and answers as
 * SendGrid does: 202 with an `X-Message-Id` when accepted, 400 with
 * `{errors: [{message, field}]}` for a malformed request, 401 for a key it
 * does not know. Accepted mails are kept, so tests can read what was sent.
 * Listens on 127.0.0.1 only.
 *
 * @example
 *   const sendgrid = await startSendGridFake(KEY);
 *   // SENDGRID_API_URL: sendgrid.url, SENDGRID_API_KEY: KEY
 *   sendgrid.sent[0].body.personalizations[0].to; // [{email: 'ana@example.com'}]
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SENDGRID_TEST_KEY = `SG.${'a'.repeat(22)}.${'b'.repeat(43)}`;

export interface MailSendRequest {
  personalizations: { to: { email: string; name?: string }[] }[];
  from: { email: string; name?: string };
  subject: string;
  content: { type: string; value: string }[];
  tracking_settings?: Record<string, unknown>;
}

export interface ReceivedMail {
  headers: IncomingHttpHeaders;
  body: MailSendRequest;
}

export interface SendGridFake {
  /** The Mail Send URL: `http://127.0.0.1:PORT/v3/mail/send`. */
  url: string;
  /** Accepted mails, in order. */
  sent: ReceivedMail[];
  /** Every request, accepted or not. */
  requests: number;
  /** The next request gets this status (e.g. 500), once. */
  failNext(status: number): void;
  stop(): Promise<void>;
}

type Problem = { message: string; field: string | null };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What SendGrid would say is wrong with this body; none: accepted. */
export function mailSendProblems(body: unknown): Problem[] {
  const problems: Problem[] = [];
  const b = (body ?? {}) as Partial<MailSendRequest>;
  const persons = Array.isArray(b.personalizations) ? b.personalizations : [];
  if (persons.length === 0) {
    problems.push({
      message: 'The personalizations field is required.',
      field: 'personalizations',
    });
  }
  persons.forEach((p, i) => {
    const to = Array.isArray(p?.to) ? p.to : [];
    if (to.length === 0 || to.some((r) => typeof r?.email !== 'string' || !EMAIL.test(r.email))) {
      problems.push({ message: 'Each to needs a valid email.', field: `personalizations.${i}.to` });
    }
  });
  if (typeof b.from?.email !== 'string' || !EMAIL.test(b.from.email)) {
    problems.push({ message: 'The from email must be a valid email.', field: 'from.email' });
  }
  if (typeof b.subject !== 'string' || b.subject.trim() === '') {
    problems.push({ message: 'The subject is required.', field: 'subject' });
  }
  const content = Array.isArray(b.content) ? b.content : [];
  if (content.length === 0 || content.some((c) => !c?.type || typeof c.value !== 'string')) {
    problems.push({ message: 'Each content needs a type and a value.', field: 'content' });
  }
  const plain = content.findIndex((c) => c?.type === 'text/plain');
  if (plain > 0) {
    problems.push({ message: 'text/plain must be the first content.', field: 'content' });
  }
  return problems;
}

export async function startSendGridFake(apiKey = SENDGRID_TEST_KEY): Promise<SendGridFake> {
  const sent: ReceivedMail[] = [];
  let failure: number | undefined;
  const fake = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      fake.requests++;
      const reply = (status: number, body?: object, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(body ? JSON.stringify(body) : '');
      };
      if (req.method !== 'POST' || req.url !== '/v3/mail/send') return reply(404, { errors: [] });
      if (failure !== undefined) {
        const status = failure;
        failure = undefined;
        return reply(status, { errors: [{ message: 'fake failure', field: null }] });
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        return reply(401, {
          errors: [{ message: 'Permission denied, wrong credentials', field: null }],
        });
      }
      if (!req.headers['content-type']?.startsWith('application/json')) {
        return reply(415, {
          errors: [{ message: 'Content-Type must be application/json', field: null }],
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { errors: [{ message: 'Bad Request', field: null }] });
      }
      const problems = mailSendProblems(body);
      if (problems.length > 0) return reply(400, { errors: problems });
      sent.push({ headers: req.headers, body: body as MailSendRequest });
      reply(202, undefined, { 'X-Message-Id': randomBytes(11).toString('base64url') });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v3/mail/send`,
    sent,
    get requests() {
      return fake.requests;
    },
    failNext: (status) => {
      failure = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
