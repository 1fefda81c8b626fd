/**
 * The Studio flow setup creates (scripts/setup/web-chat.flow.json): its
 * structure, and the task it gives Flex for the conversations this project
 * creates in each mode, run the way Studio would (tests/support/studio-flow.ts:
 * liquidjs for Studio's Liquid), its customer check answered by the real
 * /check-customer; what a flow does with `customer` (flow-customer.ts); and
 * the check setup and doctor make on any flow: does a chat reach Flex?
 */
import { readFileSync } from 'node:fs';
import { customerCheckOf } from '../../scripts/setup/flow-customer';
import { madeBySetup, withCheckUrl } from '../../scripts/setup/flow-templates';
import {
  FLOW_DEFINITION_FILE,
  sendsChatsToFlex,
  webChatFlowDefinition,
} from '../../scripts/setup/flow-definition';
import { definitionErrors, FLOW_DEFINITIONS } from '../../dev/twilio-fake/apis';
import { invoke } from '../../dev/invoke';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { handler as checkCustomer } from '../../functions/check-customer';
import { customerSignature } from '../../src/customer-signature';
import { runChatFlow, type FlowHttp } from '../support/studio-flow';

const WORKFLOW_SID = 'WW' + '6'.repeat(32);
const CHAT_TASK_CHANNEL_SID = 'TC' + '8'.repeat(32);
const CHECK_CUSTOMER_URL = 'https://flex-webchat-1234-dev.twil.io/check-customer';
const CONVERSATION_SID = 'CH' + 'a'.repeat(32);
const IDENTITY = `cust_${'c3'.repeat(16)}`;

interface State {
  name: string;
  type: string;
  transitions: { event: string; next?: string }[];
  properties: Record<string, unknown>;
}

type Definition = { initial_state: string; flags: unknown; states: State[] };

const definition = webChatFlowDefinition({
  WORKFLOW_SID,
  CHAT_TASK_CHANNEL_SID,
  CHECK_CUSTOMER_URL,
}) as Definition;
const state = (name: string, from: Definition = definition) =>
  from.states.find((s) => s.name === name) as State;

const mock = TwilioMock.perTest();
afterEach(() => expect(mock.requests()).toHaveLength(0));

/** The flow's requests, answered by the real /check-customer at its URL (as Studio sends them). */
const service: FlowHttp = async ({ url, contentType, body }) => {
  if (url !== CHECK_CUSTOMER_URL) return undefined;
  const res = await invoke(checkCustomer, {
    mock,
    body,
    headers: { origin: undefined, 'content-type': contentType },
  });
  return { status: res.status, body: res.body };
};
const down: FlowHttp = () => Promise.resolve(undefined);

async function flowRun(
  channelAttributes: Record<string, unknown>,
  options: { author?: string; http?: FlowHttp; flow?: Definition } = {},
) {
  const conversation = {
    ConversationSid: CONVERSATION_SID,
    Author: options.author ?? IDENTITY,
    Body: 'Hello',
    ChannelAttributes: channelAttributes,
  };
  return runChatFlow(options.flow ?? definition, { conversation }, options.http ?? service);
}

async function taskAttributes(channelAttributes: Record<string, unknown>) {
  return (await flowRun(channelAttributes)).task;
}

const FIELDS = {
  id: 'cus_42',
  issuer: 'https://shop.example.com',
  name: 'Ana',
  claims: { plan: 'gold' },
  verifiedAt: Math.floor(Date.now() / 1000),
};
const signed = (identity = IDENTITY) => ({
  verified: true as const,
  ...FIELDS,
  signature: customerSignature(TEST_ENV.API_SECRET, identity, FIELDS),
});
/** What the task shows: the signed fields, without the signature. */
const shown = () => ({ verified: true as const, ...FIELDS });
const SEAL = { v: 1, mac: 'm' };

describe('the web chat Studio flow definition', () => {
  it('is a readable file with only the three placeholders to fill', () => {
    const text = readFileSync(FLOW_DEFINITION_FILE, 'utf8');
    expect(text.split('\n').length).toBeGreaterThan(40); // pretty-printed, not one line
    expect([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).sort()).toEqual([
      'CHAT_TASK_CHANNEL_SID',
      'CHAT_TASK_CHANNEL_SID',
      'CHAT_TASK_CHANNEL_SID',
      'CHECK_CUSTOMER_URL',
      'WORKFLOW_SID',
      'WORKFLOW_SID',
      'WORKFLOW_SID',
    ]);
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
  });

  it('starts at the trigger, whose Incoming Conversation goes to the customer split, and nothing else', () => {
    expect(definition.initial_state).toBe('Trigger');
    expect(definition.states.map((s) => [s.name, s.type])).toEqual([
      ['Trigger', 'trigger'],
      ['has_customer', 'split-based-on'],
      ['send_to_flex', 'send-to-flex'],
      ['check_customer', 'make-http-request'],
      ['send_to_flex_checked', 'send-to-flex'],
      ['send_to_flex_unchecked', 'send-to-flex'],
    ]);
    const wired = state('Trigger').transitions.filter((t) => t.next !== undefined);
    expect(wired).toEqual([{ event: 'incomingConversationMessage', next: 'has_customer' }]);
    expect(
      state('Trigger')
        .transitions.map((t) => t.event)
        .sort(),
    ).toEqual([
      'incomingCall',
      'incomingConversationMessage',
      'incomingMessage',
      'incomingParent',
      'incomingRequest',
    ]);
  });

  it('checks at the URL setup gives, as JSON, and goes on to Flex whether or not the check answers', () => {
    const check = state('check_customer');
    expect(check.properties).toMatchObject({
      method: 'POST',
      url: CHECK_CUSTOMER_URL,
      content_type: 'application/json;charset=utf-8',
    });
    expect(check.transitions).toEqual([
      { event: 'success', next: 'send_to_flex_checked' },
      { event: 'failed', next: 'send_to_flex_unchecked' },
    ]);
  });

  it.each(['send_to_flex', 'send_to_flex_checked', 'send_to_flex_unchecked'])(
    '%s sends to Flex with the chosen workflow on the chat task channel, and ends there',
    (name) => {
      const send = state(name);
      expect(send.properties.workflow).toBe(WORKFLOW_SID);
      expect(send.properties.channel).toBe(CHAT_TASK_CHANNEL_SID);
      expect(send.transitions).toEqual([
        { event: 'callComplete' },
        { event: 'failedToEnqueue' },
        { event: 'callFailure' },
      ]);
      // Studio's limit on the attributes template.
      expect((send.properties.attributes as string).length).toBeLessThanOrEqual(1024);
    },
  );

  it('passes the structural checks Studio makes (the mock of /v2/Flows/Validate)', () => {
    expect(definitionErrors(definition)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(definition)) as typeof definition;
    broken.states[0]!.transitions[2]!.next = 'nowhere';
    expect(definitionErrors(broken)).toEqual([
      'Trigger: transition incomingConversationMessage to a missing widget',
    ]);
  });

  it('would be refused with a check that has no URL or a transition Studio does not know', () => {
    const broken = JSON.parse(JSON.stringify(definition)) as Definition;
    state('check_customer', broken).properties.url = '';
    state('check_customer', broken).transitions[0]!.event = 'done';
    expect(definitionErrors(broken)).toEqual([
      'check_customer: make-http-request has no transition done',
      'check_customer: url is required',
    ]);
  });

  it('gives agents the name /start-chat stores as `from` (studio mode), and the answers, with no request for an anonymous chat', async () => {
    const run = await flowRun({
      from: 'Ana López',
      channel_type: 'web',
      pre_engagement_data: { email: 'ana@example.com', vip: true },
    });
    expect(run.path).toEqual(['has_customer', 'send_to_flex']);
    expect(run.requests).toEqual([]);
    expect(run.task).toEqual({
      from: 'Ana López',
      customerName: 'Ana López',
      channelType: 'web',
      conversationSid: CONVERSATION_SID,
      pre_engagement_data: { email: 'ana@example.com', vip: true },
    });
  });

  it('falls back to pre_engagement_data.friendlyName (address mode), then to "Customer"', async () => {
    const address = await taskAttributes({
      pre_engagement_data: { friendlyName: 'Bo', plan: 'gold' },
    });
    expect(address).toMatchObject({ from: 'Bo', customerName: 'Bo' });
    const nameless = await taskAttributes({});
    expect(nameless).toMatchObject({ from: 'Customer', pre_engagement_data: null });
  });

  it('carries the after-hours mark of AFTER_HOURS=message to the task (src/guard/hours.ts)', async () => {
    const task = await taskAttributes({ from: 'Ana', pre_engagement_data: { afterHours: true } });
    expect(task).toMatchObject({ pre_engagement_data: { afterHours: true } });
  });

  it('passes a signed-in customer (studio mode: at the top) on as `customer` once the check holds, the answers without the seal', async () => {
    const run = await flowRun({
      from: 'Ana',
      pre_engagement_data: { topic: 'billing' },
      customer: signed(),
      webchat_seal: SEAL,
    });
    expect(run.path).toEqual(['has_customer', 'check_customer', 'send_to_flex_checked']);
    expect(run.requests).toEqual([
      {
        identity: IDENTITY,
        conversationSid: CONVERSATION_SID,
        customer: signed(),
        answers: { topic: 'billing' },
      },
    ]);
    expect(run.task).toEqual({
      from: 'Ana',
      customerName: 'Ana',
      channelType: 'web',
      conversationSid: CONVERSATION_SID,
      pre_engagement_data: { topic: 'billing' },
      customer: shown(),
    });
  });

  it('passes a signed-in customer (address mode: in the pre-engagement data) on at the top only, the answers without it and the seal', async () => {
    const task = await taskAttributes({
      pre_engagement_data: { friendlyName: 'Ana', customer: signed(), webchat_seal: SEAL },
    });
    expect(task).toEqual({
      from: 'Ana',
      customerName: 'Ana',
      channelType: 'web',
      conversationSid: CONVERSATION_SID,
      pre_engagement_data: { friendlyName: 'Ana' },
      customer: shown(),
    });
  });

  it('names the task after the verified name, not a name typed beside a genuine customer', async () => {
    const task = await taskAttributes({
      pre_engagement_data: { friendlyName: 'Mallory', customer: { ...signed(), name: 'Ana' } },
    });
    expect(task).toMatchObject({ from: 'Ana', customerName: 'Ana', customer: shown() });
  });

  it('rebuilds `customer` from the signed fields: a key added beside them never reaches agents', async () => {
    const task = await taskAttributes({
      pre_engagement_data: { friendlyName: 'Ana', customer: { ...signed(), role: 'admin' } },
    });
    expect(task.customer).toEqual(shown());
  });

  it.each([
    ['forged (unsigned, marked verified)', { verified: true, ...FIELDS }],
    ['forged (a changed claim)', { ...signed(), claims: { plan: 'platinum' } }],
    ['signed for another identity', signed(`cust_${'d4'.repeat(16)}`)],
    ['not an object', 'verified'],
    ['false (Liquid would call it absent)', false],
  ])(
    'gives a chat whose customer is %s no `customer`, neither at the top nor in the answers',
    async (_, customer) => {
      for (const attributes of [
        { from: 'Eve', pre_engagement_data: { topic: 'x' }, customer },
        { pre_engagement_data: { friendlyName: 'Eve', topic: 'x', customer } },
      ]) {
        const run = await flowRun(attributes);
        expect(run.path).toEqual(['has_customer', 'check_customer', 'send_to_flex_checked']);
        expect(run.task).not.toHaveProperty('customer');
        expect(JSON.stringify(run.task)).not.toContain('cus_42');
        expect(run.task).toMatchObject({ from: 'Eve' });
      }
    },
  );

  it('still hands the chat to Flex when the check does not answer (or answers an error), with the name alone', async () => {
    const attributes = {
      pre_engagement_data: { friendlyName: 'Ana', customer: signed(), topic: 'x' },
    };
    const failing: FlowHttp = () => Promise.resolve({ status: 503, body: { error: {} } });
    for (const http of [down, failing]) {
      const run = await flowRun(attributes, { http });
      expect(run.path).toEqual(['has_customer', 'check_customer', 'send_to_flex_unchecked']);
      expect(run.task).toEqual({
        from: 'Ana',
        customerName: 'Ana',
        channelType: 'web',
        conversationSid: CONVERSATION_SID,
        pre_engagement_data: { friendlyName: 'Ana' },
        customer_check: 'unavailable',
      });
    }
  });

  it('without a URL has no check: a chat with a customer goes to Flex without it, and makes no request', async () => {
    const bare = webChatFlowDefinition({ WORKFLOW_SID, CHAT_TASK_CHANNEL_SID }) as Definition;
    expect(bare.states.map((s) => s.name)).toEqual([
      'Trigger',
      'has_customer',
      'send_to_flex',
      'send_to_flex_unchecked',
    ]);
    expect(definitionErrors(bare)).toEqual([]);
    const run = await flowRun(
      { from: 'Ana', pre_engagement_data: {}, customer: signed() },
      { flow: bare },
    );
    expect(run.path).toEqual(['has_customer', 'send_to_flex_unchecked']);
    expect(run.requests).toEqual([]);
    expect(run.task).not.toHaveProperty('customer');
    const anonymous = await flowRun({ from: 'Bo', pre_engagement_data: { a: 1 } }, { flow: bare });
    expect(anonymous.task).toMatchObject({ from: 'Bo', pre_engagement_data: { a: 1 } });
  });

  it('keeps the attributes valid JSON whatever the name holds', async () => {
    const tricky = 'Ana "the \\ boss", }{';
    expect(await taskAttributes({ from: tricky })).toMatchObject({
      from: tricky,
      customerName: tricky,
    });
    const run = await flowRun({ from: tricky, customer: 'x' }, { http: down });
    expect(run.task).toMatchObject({ from: tricky, pre_engagement_data: { friendlyName: tricky } });
  });
});

/** A Send to Flex that copies the pre-engagement data (and so `customer`) as it is. */
const UNCHECKED_RETRY =
  '{"pre_engagement_data": {{trigger.conversation.ChannelAttributes.pre_engagement_data | to_json}}, "customer": {{trigger.conversation.ChannelAttributes.pre_engagement_data.customer | to_json}}}';

/** `name`'s failedToEnqueue leads to a new Send to Flex `retry` with these attributes. */
function retryAfter(name: string, flow: Definition, attributes: string): void {
  const widget = state(name, flow) as State & { transitions: { event: string; next?: string }[] };
  widget.transitions = [
    { event: 'callComplete' },
    { event: 'failedToEnqueue', next: 'retry' },
    { event: 'callFailure' },
  ];
  flow.states.push({
    name: 'retry',
    type: 'send-to-flex',
    transitions: [],
    properties: { workflow: WORKFLOW_SID, channel: CHAT_TASK_CHANNEL_SID, attributes },
  });
}

describe('customerCheckOf: does `customer` reach the task only through the check?', () => {
  const bare = () => webChatFlowDefinition({ WORKFLOW_SID, CHAT_TASK_CHANNEL_SID });
  const edited = (edit: (flow: Definition) => void) => {
    const flow = JSON.parse(JSON.stringify(definition)) as Definition;
    edit(flow);
    return flow;
  };
  const old = {
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: [{ event: 'incomingConversationMessage', next: 'send_to_flex' }],
      },
      {
        name: 'send_to_flex',
        type: 'send-to-flex',
        transitions: [],
        properties: {
          attributes:
            '{"pre_engagement_data": {{trigger.conversation.ChannelAttributes.pre_engagement_data | to_json}}{% if trigger.conversation.ChannelAttributes.customer %}, "customer": {{trigger.conversation.ChannelAttributes.customer | to_json}}{% endif %}}',
        },
      },
    ],
  };

  it.each([
    [
      'setup’s flow, at this service’s URL',
      () => definition,
      { verdict: 'checked', url: CHECK_CUSTOMER_URL },
    ],
    ['setup’s flow without a URL', bare, { verdict: 'no-check' }],
    [
      'the flow setup created before the check',
      () => old,
      { verdict: 'unchecked', widget: 'send_to_flex' },
    ],
    [
      'setup’s flow checking elsewhere',
      () => edited((f) => (state('check_customer', f).properties.url = 'https://evil.example/ok')),
      { verdict: 'other-url', url: 'https://evil.example/ok' },
    ],
    [
      'setup’s flow whose split no longer sends customers to the check',
      () =>
        edited((f) => {
          const split = state('has_customer', f) as State & {
            transitions: { conditions?: { value: string }[] }[];
          };
          split.transitions[1]!.conditions![0]!.value = 'nobody';
        }),
      { verdict: 'unchecked', widget: 'send_to_flex' },
    ],
    [
      'setup’s flow whose check was rewritten',
      () => edited((f) => (state('check_customer', f).properties.body = '{}')),
      { verdict: 'unknown', widget: 'check_customer' },
    ],
    [
      'Flex’s messaging flow (no customer named)',
      () => FLOW_DEFINITIONS.messaging(),
      { verdict: 'unknown', widget: 'SendConversationToAgent' },
    ],
    [
      'setup’s flow whose checked Send to Flex, failing to enqueue, retries with customer unchecked',
      () => edited((f) => retryAfter('send_to_flex_checked', f, UNCHECKED_RETRY)),
      { verdict: 'unchecked', widget: 'retry' },
    ],
    [
      'setup’s flow whose anonymous Send to Flex, failing, retries with setup’s anonymous widget (not behind the split)',
      () =>
        edited((f) => {
          retryAfter('send_to_flex', f, state('send_to_flex', f).properties.attributes as string);
        }),
      { verdict: 'unchecked', widget: 'retry' },
    ],
    [
      'setup’s flow whose Send to Flex, failing, sends a message (no Send to Flex after it)',
      () =>
        edited((f) => {
          const checked = state('send_to_flex_checked', f) as State & {
            transitions: { event: string; next?: string }[];
          };
          checked.transitions = [
            { event: 'callComplete' },
            { event: 'failedToEnqueue', next: 'sorry' },
            { event: 'callFailure', next: 'sorry' },
          ];
          f.states.push({
            name: 'sorry',
            type: 'send-message',
            transitions: [{ event: 'sent' }, { event: 'failed' }],
            properties: { body: 'Sorry, try again later.' },
          });
        }),
      { verdict: 'checked', url: CHECK_CUSTOMER_URL },
    ],
  ])('%s', (_, flow, verdict) => {
    expect(customerCheckOf(flow(), CHECK_CUSTOMER_URL)).toEqual(verdict);
  });

  it('cannot confirm a URL it does not know', () => {
    expect(customerCheckOf(definition, undefined)).toEqual({
      verdict: 'other-url',
      url: CHECK_CUSTOMER_URL,
    });
  });
});

describe('madeBySetup / withCheckUrl: may setup replace a flow, or only move its check?', () => {
  const copy = () => JSON.parse(JSON.stringify(definition)) as Definition;
  const NEW_URL = 'https://other-1234-dev.twil.io/check-customer';

  it('setup’s flow with or without the check, any routing, URL or widget positions: setup’s', () => {
    const moved = copy();
    for (const s of moved.states) s.properties.offset = { x: 1, y: 2 };
    state('check_customer', moved).properties.url = 'https://x.ngrok.app/check-customer';
    state('send_to_flex', moved).properties.workflow = 'WW' + '1'.repeat(32);
    for (const flow of [
      definition,
      moved,
      webChatFlowDefinition({ WORKFLOW_SID, CHAT_TASK_CHANNEL_SID }),
    ]) {
      expect(madeBySetup(flow)).toBe(true);
    }
  });

  it.each([
    [
      'the description',
      (f: Definition) => ((f as Definition & { description: string }).description = 'ours'),
    ],
    [
      'a Send to Flex’s priority',
      (f: Definition) => (state('send_to_flex', f).properties.priority = '5'),
    ],
    ['the split’s input', (f: Definition) => (state('has_customer', f).properties.input = 'x')],
    [
      'a widget more',
      (f: Definition) => f.states.push({ ...state('send_to_flex', f), name: 'extra' }),
    ],
  ])('any other change (%s): not setup’s', (_, edit) => {
    const flow = copy();
    edit(flow);
    expect(madeBySetup(flow)).toBe(false);
  });

  it('not a flow: not setup’s', () => {
    for (const broken of [undefined, null, {}, { states: 'x' }])
      expect(madeBySetup(broken)).toBe(false);
  });

  it('moves only check_customer’s URL, and only in setup’s check widget', () => {
    const edited = copy();
    edited.states.push({ ...state('send_to_flex', edited), name: 'extra' });
    const moved = withCheckUrl(edited, NEW_URL) as Definition;
    const expected = copy();
    expected.states.push({ ...state('send_to_flex', expected), name: 'extra' });
    state('check_customer', expected).properties.url = NEW_URL;
    expect(moved).toEqual(expected);
    expect(state('check_customer', edited).properties.url).toBe(CHECK_CUSTOMER_URL); // a copy

    expect(withCheckUrl(definition, CHECK_CUSTOMER_URL)).toBeUndefined(); // already there
    const rewritten = copy();
    state('check_customer', rewritten).properties.body = '{}';
    expect(withCheckUrl(rewritten, NEW_URL)).toBeUndefined();
    expect(
      withCheckUrl(webChatFlowDefinition({ WORKFLOW_SID, CHAT_TASK_CHANNEL_SID }), NEW_URL),
    ).toBeUndefined();
  });
});

describe('sendsChatsToFlex: does a flow hand a chat to Flex?', () => {
  it('this project’s flow does, for Conversations (and not for a legacy chat channel)', () => {
    expect(sendsChatsToFlex(definition)).toBe(true);
    expect(sendsChatsToFlex(definition, 'incomingMessage')).toBe(false);
  });

  it.each([
    ['Flex’s messaging flow', FLOW_DEFINITIONS.messaging(), true, true],
    ['a bot step first (a split)', FLOW_DEFINITIONS.splitToFlex(), true, false],
    ['an IVR (only calls reach Send to Flex)', FLOW_DEFINITIONS.voiceIvr(), false, false],
    ['an auto-reply (no Send to Flex)', FLOW_DEFINITIONS.noFlex(), false, false],
  ])('%s', (_, flow, conversations, legacyChat) => {
    expect(sendsChatsToFlex(flow)).toBe(conversations);
    expect(sendsChatsToFlex(flow, 'incomingMessage')).toBe(legacyChat);
  });

  it('survives definitions that are not flows, and loops between widgets', () => {
    for (const broken of [undefined, null, {}, { states: 'x' }, { states: [null, 3] }]) {
      expect(sendsChatsToFlex(broken)).toBe(false);
    }
    const loop = {
      states: [
        {
          name: 'Trigger',
          type: 'trigger',
          transitions: [{ event: 'incomingConversationMessage', next: 'a' }],
        },
        { name: 'a', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'b' }] },
        { name: 'b', type: 'set-variables', transitions: [{ event: 'next', next: 'a' }] },
      ],
    };
    expect(sendsChatsToFlex(loop)).toBe(false);
  });
});
