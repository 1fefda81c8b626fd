import { BadRequestError } from '../../src/errors';
import { preEngagementData } from '../../src/chat-attributes';
import { LIMITS } from '../../src/limits';
import { parseStartChatRequest } from '../../src/requests';
import { PLAIN_TEXT_CASES } from '../../tests/support/plain-text-cases';
import { DEFAULT_FIELDS, validatePreEngagement, type FieldConfig } from './pre-engagement';

const label = (f: FieldConfig) => f.name;

describe('pre-engagement validation mirrors the server', () => {
  it('builds the /start-chat body the server accepts', () => {
    const fields: FieldConfig[] = [
      ...DEFAULT_FIELDS,
      { name: 'orderNumber', type: 'text', required: true },
    ];
    const result = validatePreEngagement(
      fields,
      {
        friendlyName: ' Ana ',
        email: 'ana@example.com',
        question: 'Hi?\nThanks',
        orderNumber: '1042',
      },
      label,
    );
    expect(result).toEqual({
      errors: [],
      body: {
        friendlyName: 'Ana',
        question: 'Hi?\nThanks',
        preEngagement: { email: 'ana@example.com', orderNumber: '1042' },
      },
    });
    expect(() =>
      parseStartChatRequest(result.body as unknown as Record<string, unknown>),
    ).not.toThrow();
  });

  it('refuses what the server would refuse, naming the field', () => {
    const result = validatePreEngagement(
      DEFAULT_FIELDS,
      { friendlyName: 'x'.repeat(65), question: 'q'.repeat(1601) },
      label,
    );
    expect(result.errors).toEqual([
      { field: 'friendlyName', key: 'error.tooLong', params: { field: 'friendlyName', max: 64 } },
      { field: 'question', key: 'error.tooLong', params: { field: 'question', max: 1600 } },
    ]);
    for (const body of [{ friendlyName: 'x'.repeat(65) }, { question: 'q'.repeat(1601) }]) {
      expect(() => parseStartChatRequest(body)).toThrow();
    }
  });

  it('cleans a pasted question exactly as the server does: CRLF as LF, control characters as spaces', () => {
    const pasted = 'Order\r\n#1042\u000bis late\u000c\tplease\rhelp';
    const result = validatePreEngagement(DEFAULT_FIELDS, { question: pasted }, label);
    expect(result.body?.question).toBe('Order\n#1042 is late \tplease\nhelp');
    expect(parseStartChatRequest({ question: pasted }).question).toBe(result.body?.question);
  });

  describe.each(PLAIN_TEXT_CASES)('the character rule, as /start-chat has it: $name', (c) => {
    const fields: FieldConfig[] = [
      { name: 'friendlyName', type: 'text', required: false },
      { name: 'question', type: 'textarea', required: false },
      { name: 'notes', type: 'textarea', required: false },
    ];

    it('sends what the server would keep, in every kind of field', () => {
      const typed = { question: c.input, notes: c.input };
      const result = validatePreEngagement(fields, typed, label);
      expect(result.errors).toEqual([]);
      expect(result.body?.question).toBe(c.clean === '' ? undefined : c.clean);
      expect(result.body?.preEngagement).toEqual(c.clean === '' ? {} : { notes: c.clean });
      const server = parseStartChatRequest({
        question: c.input,
        preEngagement: { notes: c.input },
      });
      expect(server.question).toBe(result.body?.question);
      expect(server.preEngagement.notes ?? '').toBe(c.clean);
    });

    it('takes it as a name only where the server does', () => {
      const result = validatePreEngagement(fields, { friendlyName: c.input }, label);
      const server = () => parseStartChatRequest({ friendlyName: c.input });
      if (c.singleLine) {
        expect(result.body?.friendlyName).toBe(c.clean === '' ? undefined : c.clean);
        expect(server().friendlyName).toBe(result.body?.friendlyName);
      } else {
        expect(result.errors.map((e) => e.key)).toEqual(['error.singleLine']);
        expect(server).toThrow(BadRequestError);
      }
    });
  });

  it('checks required fields, single lines and email shape', () => {
    const fields: FieldConfig[] = [
      { name: 'friendlyName', type: 'text', required: true },
      { name: 'email', type: 'email', required: false },
    ];
    expect(
      validatePreEngagement(fields, { friendlyName: '  ' }, label).errors.map((e) => e.key),
    ).toEqual(['error.required']);
    expect(
      validatePreEngagement(fields, { friendlyName: 'A\nB' }, label).errors.map((e) => e.key),
    ).toEqual(['error.singleLine']);
    expect(
      validatePreEngagement(fields, { friendlyName: 'A', email: 'a@b' }, label).errors.map(
        (e) => e.key,
      ),
    ).toEqual(['error.email']);
  });

  it('counts the name in the 16 KB, as the server does for Flex-created chats', () => {
    const fields: FieldConfig[] = [
      { name: 'friendlyName', type: 'text', required: false },
      ...Array.from({ length: 11 }, (_, i) => ({
        name: `f${i}`,
        type: 'textarea' as const,
        required: false,
      })),
    ];
    // Answers that fit 16 KB alone, by a few bytes, but not with the name.
    const answers: Record<string, string> = {};
    for (let i = 0; i < 11; i++) answers[`f${i}`] = 'x'.repeat(1500);
    const alone = JSON.stringify(answers).length;
    answers.f10 = 'x'.repeat(1500 - (alone - (LIMITS.preEngagementMaxBytes - 5)));
    expect(JSON.stringify(answers).length).toBe(LIMITS.preEngagementMaxBytes - 5);

    const result = validatePreEngagement(fields, { ...answers, friendlyName: 'Ana' }, label);
    expect(result.errors.map((e) => e.key)).toEqual(['error.tooLarge']);
    expect(() => preEngagementData({ friendlyName: 'Ana', preEngagement: answers })).toThrow(
      BadRequestError,
    );
  });

  it('refuses pre-engagement data over 16 KB as a whole', () => {
    const fields: FieldConfig[] = Array.from({ length: 12 }, (_, i) => ({
      name: `f${i}`,
      type: 'textarea',
      required: false,
    }));
    const values = Object.fromEntries(fields.map((f) => [f.name, 'x'.repeat(1500)]));
    expect(validatePreEngagement(fields, values, label).errors.map((e) => e.key)).toEqual([
      'error.tooLarge',
    ]);
  });
});
