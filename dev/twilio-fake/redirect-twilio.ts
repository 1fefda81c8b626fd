/**
 * Preloaded (`node --require`) into the local runtime by the runtime tests:
 * points the project's own `twilio` library at the local mock, so functions
 * running inside the real `twilio-run` make their Twilio calls there. Test
 * only; production code knows nothing of it.
 *
 * TWILIO_MOCK_URL   base URL of the mock, e.g. http://127.0.0.1:43210
 * TWILIO_MOCK_ROOT  project folder whose node_modules/twilio to patch
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const base = process.env.TWILIO_MOCK_URL;
const root = process.env.TWILIO_MOCK_ROOT;

interface RequestOptions {
  uri: string;
}
type RequestFn = (this: unknown, opts: RequestOptions) => Promise<unknown>;

if (base && root) {
  const projectRequire = createRequire(join(root, 'package.json'));
  const RequestClient = projectRequire('twilio/lib/base/RequestClient') as {
    prototype: { request: RequestFn };
  };
  const original = RequestClient.prototype.request;
  RequestClient.prototype.request = function (this: unknown, opts: RequestOptions) {
    const url = new URL(opts.uri);
    return original.call(this, { ...opts, uri: `${base}/${url.host}${url.pathname}${url.search}` });
  };
}
