/**
 * Deeply nested JSON (`[[[…]]]`, one level per 2 bytes): a body of a few KB
 * nested thousands of levels deep is refused with a 400 naming the field
 * (src/http.ts jsonFields, MAX_JSON_DEPTH), never a 500 from code that
 * recurses, and causes no Twilio request; minJsonBytes (assertInBody, the
 * size limits) measures any depth with a loop.
 */
import { handler as checkCustomer } from '../../functions/check-customer';
import { handler as refresh } from '../../functions/refresh-token';
import { invoke } from '../../dev/invoke';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { BadRequestError } from '../../src/errors';
import { assertInBody, MAX_JSON_DEPTH, minJsonBytes, type RuntimeEvent } from '../../src/http';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();
afterEach(() => {
  expect(mock.requests()).toHaveLength(0);
  expect(logs.events()).not.toContain('unexpected_error');
});

/** `depth` arrays, each the only item of the one around it. */
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

type ErrorBody = { error: { code: string; fields?: { field: string; problem: string }[] } };

describe('minJsonBytes on deep nesting', () => {
  it.each([1, 10, 3000, 100_000])('counts %i levels of [[…]] as their JSON length', (depth) => {
    expect(minJsonBytes(nested(depth))).toBe(2 * depth);
  });

  it('still counts objects, strings and numbers as before', () => {
    const value = { a: [1, 'é', null, { b: true }], 'c"': 123456 };
    // Numbers count one byte each (a body may write 1e5); the rest as JSON.stringify writes it.
    expect(minJsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value)) - 5);
  });
});

describe('/check-customer with deeply nested JSON', () => {
  const check = (body: Record<string, unknown>) =>
    invoke(checkCustomer, { mock, body, headers: { origin: undefined } });

  it.each([
    ['customer', (v: unknown) => ({ identity: 'cust_x', customer: v })],
    ['answers', (v: unknown) => ({ identity: 'cust_x', customer: null, answers: { a: v } })],
  ])('%s nested 3,000 levels deep: 400 naming it, not a 500', async (field, body) => {
    const res = await check(body(nested(3000)));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request nests arrays or objects too deeply.',
        fields: [
          { field, problem: `must nest at most ${MAX_JSON_DEPTH} levels of arrays and objects` },
        ],
      },
    });
  });

  it('answers nested up to the cap are answered as usual', async () => {
    const answers = { a: nested(MAX_JSON_DEPTH - 1) }; // the object itself is a level
    const res = await check({ identity: 'cust_x', customer: null, answers });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ verified: false, answers });
    const over = await check({
      identity: 'cust_x',
      customer: null,
      answers: { a: nested(MAX_JSON_DEPTH) },
    });
    expect(over.status).toBe(400);
  });
});

describe('/refresh-token (the token only in the body, assertInBody) with deeply nested JSON', () => {
  it('a token beside a field nested 3,000 levels deep: 400 naming that field', async () => {
    const res = await invoke(refresh, { mock, body: { token: 'x', extra: nested(3000) } });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields).toEqual([
      { field: 'extra', problem: expect.stringContaining('must nest at most') },
    ]);
  });

  it('assertInBody measures a deep body without running out of stack', () => {
    const fields = { token: 'x', extra: nested(100_000) };
    const event = {
      request: { headers: { 'content-length': '10' }, cookies: {} },
      ...fields,
    } as unknown as RuntimeEvent;
    expect(() => assertInBody(event, fields, ['token'])).toThrow(BadRequestError);
  });
});
