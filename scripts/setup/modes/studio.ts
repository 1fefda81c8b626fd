/**
 * `HANDOFF_MODE=studio`: a Studio flow that sends chats to Flex. Setup
 * writes STUDIO_FLOW_SID: .env's, one found, or one it creates (see
 * studio-flows.ts); doctor checks that flow.
 */
import { checkFlow, chooseFlow } from '../studio-flows';
import type { SetupMode } from './types';

export const studio: SetupMode = {
  label: 'this service creates the chat; your Studio flow sends it to Flex (default)',
  flags: [],
  otherChatService: 'problem',
  async setup(ctx) {
    const flow = await chooseFlow(ctx, { allowCreate: true });
    ctx.plan.decide('STUDIO_FLOW_SID', flow.sid, flow.source, flow.why);
  },
  async check(ctx) {
    const sid = ctx.value('STUDIO_FLOW_SID');
    if (sid) await checkFlow(ctx, 'STUDIO_FLOW_SID', sid);
  },
};
