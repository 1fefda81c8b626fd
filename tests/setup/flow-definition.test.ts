/**
 * The Studio flow setup creates (scripts/setup/web-chat.flow.json): its
 * structure, and its task attribute template, rendered the way Studio's
 * Liquid would for the conversations this project creates in each mode;
 * and the check setup and doctor make on any flow: does a chat reach Flex?
 */
import { readFileSync } from 'node:fs';
import {
  FLOW_DEFINITION_FILE,
  sendsChatsToFlex,
  webChatFlowDefinition,
} from '../../scripts/setup/flow-definition';
import { definitionErrors, FLOW_DEFINITIONS } from '../../dev/twilio-fake/apis';

const WORKFLOW_SID = 'WW' + '6'.repeat(32);
const CHAT_TASK_CHANNEL_SID = 'TC' + '8'.repeat(32);

interface State {
  name: string;
  type: string;
  transitions: { event: string; next?: string }[];
  properties: Record<string, unknown>;
}

const definition = webChatFlowDefinition({ WORKFLOW_SID, CHAT_TASK_CHANNEL_SID }) as {
  initial_state: string;
  flags: unknown;
  states: State[];
};
const state = (name: string) => definition.states.find((s) => s.name === name) as State;

/**
 * Just enough Liquid for this template: `{{ a.b.c }}`, `| default: x.y`,
 * `| default: 'text'` and `| to_json`, as Studio evaluates them (a missing
 * or empty value takes the default; to_json serialises), and
 * `{% if a.b %}…{% elsif c.d %}…{% endif %}` (only nil and false are false).
 */
function lookupIn(scope: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => {
    if (value === null || typeof value !== 'object') return undefined;
    return (value as Record<string, unknown>)[key];
  }, scope);
}

function renderLiquid(template: string, scope: Record<string, unknown>): string {
  const truthy = (path: string) =>
    ![undefined, null, false].includes(lookupIn(scope, path.trim()) as never);
  const branches = template.replace(
    /\{% if (.*?) %\}(.*?)(?:\{% elsif (.*?) %\}(.*?))?\{% endif %\}/gs,
    (_, ifPath: string, ifText: string, elsifPath?: string, elsifText?: string) =>
      truthy(ifPath)
        ? ifText
        : elsifPath !== undefined && truthy(elsifPath)
          ? (elsifText ?? '')
          : '',
  );
  if (/\{%/.test(branches)) throw new Error('tag not supported by this test');
  return expressions(branches, scope);
}

function expressions(template: string, scope: Record<string, unknown>): string {
  const lookup = (path: string): unknown => lookupIn(scope, path);
  const operand = (text: string): unknown => {
    const literal = /^'(.*)'$/.exec(text.trim());
    return literal ? literal[1] : lookup(text.trim());
  };
  return template.replace(/\{\{(.*?)\}\}/g, (_, expression: string) => {
    const [head = '', ...filters] = expression.split('|');
    let value = operand(head);
    for (const filter of filters) {
      const [name = '', arg] = filter.split(':').map((s) => s.trim());
      if (name === 'default') {
        if (value === undefined || value === null || value === '') value = operand(arg ?? '');
      } else if (name === 'to_json') {
        value = JSON.stringify(value ?? null);
      } else {
        throw new Error(`filter ${name} not supported by this test`);
      }
    }
    // Liquid prints nothing for nil; this template only prints strings otherwise.
    return typeof value === 'string' ? value : '';
  });
}

function taskAttributes(channelAttributes: Record<string, unknown>): Record<string, unknown> {
  const template = state('send_to_flex').properties.attributes as string;
  const rendered = renderLiquid(template, {
    trigger: {
      conversation: {
        ConversationSid: 'CH' + 'a'.repeat(32),
        ChannelAttributes: channelAttributes,
      },
    },
  });
  return JSON.parse(rendered) as Record<string, unknown>;
}

describe('the web chat Studio flow definition', () => {
  it('is a readable file with only the two placeholders to fill', () => {
    const text = readFileSync(FLOW_DEFINITION_FILE, 'utf8');
    expect(text.split('\n').length).toBeGreaterThan(40); // pretty-printed, not one line
    expect([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).sort()).toEqual([
      'CHAT_TASK_CHANNEL_SID',
      'WORKFLOW_SID',
    ]);
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
  });

  it('starts at the trigger, whose Incoming Conversation goes to Send to Flex, and nothing else', () => {
    expect(definition.initial_state).toBe('Trigger');
    expect(definition.states.map((s) => [s.name, s.type])).toEqual([
      ['Trigger', 'trigger'],
      ['send_to_flex', 'send-to-flex'],
    ]);
    const wired = state('Trigger').transitions.filter((t) => t.next !== undefined);
    expect(wired).toEqual([{ event: 'incomingConversationMessage', next: 'send_to_flex' }]);
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

  it('sends to Flex with the chosen workflow on the chat task channel, and ends there', () => {
    const send = state('send_to_flex');
    expect(send.properties.workflow).toBe(WORKFLOW_SID);
    expect(send.properties.channel).toBe(CHAT_TASK_CHANNEL_SID);
    expect(send.transitions).toEqual([
      { event: 'callComplete' },
      { event: 'failedToEnqueue' },
      { event: 'callFailure' },
    ]);
    // Studio's limit on the attributes template.
    expect((send.properties.attributes as string).length).toBeLessThanOrEqual(1024);
  });

  it('passes the structural checks Studio makes (the mock of /v2/Flows/Validate)', () => {
    expect(definitionErrors(definition)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(definition)) as typeof definition;
    broken.states[0]!.transitions[2]!.next = 'nowhere';
    expect(definitionErrors(broken)).toEqual([
      'Trigger: transition incomingConversationMessage to a missing widget',
    ]);
  });

  it('gives agents the name /start-chat stores as `from` (studio mode), and the answers', () => {
    expect(
      taskAttributes({
        from: 'Ana López',
        channel_type: 'web',
        pre_engagement_data: { email: 'ana@example.com', vip: true },
      }),
    ).toEqual({
      from: 'Ana López',
      customerName: 'Ana López',
      channelType: 'web',
      conversationSid: 'CH' + 'a'.repeat(32),
      pre_engagement_data: { email: 'ana@example.com', vip: true },
    });
  });

  it('falls back to pre_engagement_data.friendlyName (address mode), then to "Customer"', () => {
    const address = taskAttributes({ pre_engagement_data: { friendlyName: 'Bo', plan: 'gold' } });
    expect(address).toMatchObject({ from: 'Bo', customerName: 'Bo' });
    const nameless = taskAttributes({});
    expect(nameless).toMatchObject({ from: 'Customer', pre_engagement_data: null });
  });

  it('carries the after-hours mark of AFTER_HOURS=message to the task (src/guard/hours.ts)', () => {
    const task = taskAttributes({ from: 'Ana', pre_engagement_data: { afterHours: true } });
    expect(task).toMatchObject({ pre_engagement_data: { afterHours: true } });
  });

  it('passes a signed-in customer on as `customer`, from the top (studio mode) or the pre-engagement data (address mode)', () => {
    const customer = {
      verified: true,
      id: 'cus_42',
      issuer: 'https://shop.example.com',
      name: 'Ana',
    };
    const studio = taskAttributes({ from: 'Ana', pre_engagement_data: {}, customer });
    expect(studio).toEqual({
      from: 'Ana',
      customerName: 'Ana',
      channelType: 'web',
      conversationSid: 'CH' + 'a'.repeat(32),
      pre_engagement_data: {},
      customer,
    });
    const address = taskAttributes({ pre_engagement_data: { friendlyName: 'Ana', customer } });
    expect(address).toMatchObject({ from: 'Ana', customer });
  });

  it('gives anonymous chats no `customer` key at all', () => {
    expect(
      taskAttributes({ from: 'Ana', pre_engagement_data: { email: 'a@b.c' } }),
    ).not.toHaveProperty('customer');
    expect(taskAttributes({})).not.toHaveProperty('customer');
  });

  it('keeps the attributes valid JSON whatever the name holds', () => {
    const tricky = 'Ana "the \\ boss", }{';
    expect(taskAttributes({ from: tricky })).toMatchObject({ from: tricky, customerName: tricky });
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
