/**
 * The task attributes /interaction gives Flex (task-attributes.ts): the name
 * agents see, whichever mode wrote the conversation, the pre-engagement
 * answers as stored, and `customer` only in the verified shape.
 */
import { taskAttributes } from './task-attributes';

const CH = 'CH' + 'a'.repeat(32);

describe('taskAttributes', () => {
  it('our own conversations: the name from `from`, the answers as stored', () => {
    expect(taskAttributes(CH, { from: 'Ana', pre_engagement_data: { topic: 'billing' } })).toEqual({
      from: 'Ana',
      customerName: 'Ana',
      channelType: 'web',
      conversationSid: CH,
      pre_engagement_data: { topic: 'billing' },
    });
  });

  it("Flex's conversations (address mode): the name from pre_engagement_data.friendlyName", () => {
    const task = taskAttributes(CH, { pre_engagement_data: { friendlyName: 'Bo', plan: 'x' } });
    expect(task).toMatchObject({ from: 'Bo', customerName: 'Bo' });
    expect(task.pre_engagement_data).toEqual({ friendlyName: 'Bo', plan: 'x' });
  });

  it.each([
    ['no name at all', {}],
    ['a blank `from`', { from: '   ' }],
    ['a name that is not text', { from: 42, pre_engagement_data: { friendlyName: ['x'] } }],
  ])('%s: "Customer"', (_, stored) => {
    expect(taskAttributes(CH, stored)).toMatchObject({
      from: 'Customer',
      customerName: 'Customer',
    });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['text', 'topic=billing'],
  ])('pre_engagement_data %s: {}', (_, value) => {
    expect(
      taskAttributes(CH, { from: 'Ana', pre_engagement_data: value }).pre_engagement_data,
    ).toEqual({});
  });

  it('never takes anything else from the conversation (an interactionSid, say)', () => {
    const task = taskAttributes(CH, { from: 'Ana', interactionSid: 'KD1', channel_type: 'web' });
    expect(Object.keys(task).sort()).toEqual(
      ['channelType', 'conversationSid', 'customerName', 'from', 'pre_engagement_data'].sort(),
    );
  });
});
