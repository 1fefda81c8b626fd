/**
 * The character rule (src/plain-text.ts) on the server, end to end: for each
 * input of the table the widget's form is tested with too
 * (client/lib/pre-engagement.test.ts), what /start-chat writes to Twilio,
 * where agents read it: the name (conversation and participant attributes),
 * the question (the first message) and a pre-engagement answer.
 */
import { handler as startChat } from '../../functions/start-chat';
import { DEFAULT_CUSTOMER_NAME } from '../../src/chat-attributes';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { conversations } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { PLAIN_TEXT_CASES } from '../support/plain-text-cases';

const mock = TwilioMock.perTest();

async function started(body: object) {
  const res = await invoke(startChat, await proven({ mock, body }));
  expect(res.status).toBe(200);
  const { conversationSid } = res.body as { conversationSid: string };
  const chat = conversations(mock).get(conversationSid);
  if (!chat) throw new Error('no conversation');
  return chat;
}

describe('/start-chat keeps only what the character rule keeps', () => {
  it.each(PLAIN_TEXT_CASES)('$name', async ({ input, clean, singleLine }) => {
    const chat = await started({
      ...(singleLine && { friendlyName: input }),
      question: input,
      preEngagement: { notes: input },
    });
    const attributes = JSON.parse(chat.attributes) as {
      from: string;
      pre_engagement_data: { notes: string };
    };
    expect(attributes.pre_engagement_data.notes).toBe(clean);
    expect(chat.messages.map((m) => m.body)).toEqual(clean === '' ? [] : [clean]);
    if (singleLine) {
      const name = clean === '' ? DEFAULT_CUSTOMER_NAME : clean;
      expect(attributes.from).toBe(name);
      expect(JSON.parse(chat.participants[0]?.attributes ?? '{}')).toEqual({ friendlyName: name });
    }
  });

  it('refuses a multi-line name, as the form does, and writes nothing', async () => {
    const multiLine = PLAIN_TEXT_CASES.filter((c) => !c.singleLine);
    expect(multiLine.length).toBeGreaterThan(0);
    for (const { input } of multiLine) {
      const res = await invoke(startChat, await proven({ mock, body: { friendlyName: input } }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { fields: [{ field: 'friendlyName' }] } });
    }
    expect(mock.writes()).toEqual([]);
  });
});
