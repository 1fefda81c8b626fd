/**
 * POST /start-chat with the site's details (src/chat-details.ts): `context`
 * (FlexWebchat.setContext), `page` and `locale` end up in the conversation's
 * attributes beside `pre_engagement_data`, in every mode; bad ones are
 * refused before anything is written.
 */
import { handler } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { invoke } from '../../dev/invoke';
import { conversations } from '../../dev/twilio-fake/apis';
import { ADDRESS_ENV, seedChatAddress } from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { sealed } from '../support/seal';

const mock = TwilioMock.perTest((m) => seedChatAddress(m));

const start = async (body: object, env: TestEnv = TEST_ENV) =>
  invoke(handler, { mock, env, body: await withProof(body, { env }) });

type ErrorBody = { error: { code: string; fields?: { field: string; problem: string }[] } };

const details = {
  context: { plan: 'pro', cartTotal: 42.5, returning: true },
  page: { url: 'https://shop.example/checkout?step=2', title: 'Checkout' },
  locale: 'es-MX',
};

function attributesOf(conversationSid: string): Record<string, unknown> {
  return JSON.parse(conversations(mock).get(conversationSid)?.attributes ?? '{}') as Record<
    string,
    unknown
  >;
}

describe('POST /start-chat with context, page and locale', () => {
  it('stores them in the attributes it creates the conversation with (no extra request)', async () => {
    const res = await start({
      friendlyName: 'Ana',
      preEngagement: { email: 'a@b.co' },
      ...details,
    });
    expect(res.status).toBe(200);
    const [created] = mock.requests('conversations.create');
    expect(JSON.parse(created?.form.Attributes?.[0] ?? '')).toEqual({
      from: 'Ana',
      channel_type: 'web',
      pre_engagement_data: { email: 'a@b.co' },
      ...details,
      webchat_seal: sealed('a@b.co'),
    });
    expect(mock.requests('conversations.update')).toHaveLength(0);
  });

  it('leaves out an empty context and what was not sent', async () => {
    const res = await start({ context: {} });
    expect(res.status).toBe(200);
    const [created] = mock.requests('conversations.create');
    expect(Object.keys(JSON.parse(created?.form.Attributes?.[0] ?? '') as object)).toEqual([
      'from',
      'channel_type',
      'pre_engagement_data',
      'webchat_seal',
    ]);
  });

  it('merges them into the attributes Flex made (address mode), keeping Flex’s', async () => {
    const res = await start({ friendlyName: 'Ana', ...details }, ADDRESS_ENV);
    expect(res.status).toBe(200);
    const { conversationSid } = res.body as { conversationSid: string };
    const attributes = attributesOf(conversationSid);
    expect(attributes).toMatchObject(details);
    expect(attributes.pre_engagement_data).toBeDefined();
    expect(mock.requests('conversations.update')).toHaveLength(1);
  });

  it.each([
    ['a nested context', { context: { cart: { total: 1 } } }, 'context'],
    ['a context key that is not a plain name', { context: { 'a b': 1 } }, 'context'],
    ['a context over 4 KB', { context: { notes: 'x'.repeat(4100) } }, 'context'],
    ['a javascript: page URL', { page: { url: 'javascript:alert(1)' } }, 'page'],
    ['a page with more keys', { page: { url: 'https://a.example/', html: '<b>' } }, 'page'],
    ['a two-line page title', { page: { url: 'https://a.example/', title: 'a\nb' } }, 'page'],
    ['a locale that is not a tag', { locale: 'en_US; drop' }, 'locale'],
  ])('refuses %s with 400 and writes nothing', async (_, body, field) => {
    const res = await start(body);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([field]);
    expect(mock.writes()).toEqual([]);
  });

  it('refuses context that would push the attributes over 16 KB, before any write', async () => {
    const preEngagement = Object.fromEntries(
      Array.from({ length: 14 }, (_, i) => [`f${i}`, 'x'.repeat(1000)]),
    );
    const context = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [`c${i}`, 'y'.repeat(1000)]),
    );
    const res = await start({ preEngagement, context });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['preEngagement']);
    expect(mock.writes()).toEqual([]);
  });
});
