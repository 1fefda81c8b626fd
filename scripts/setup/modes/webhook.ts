/**
 * `HANDOFF_MODE=webhook`: this service's /interaction makes the Flex task.
 * Setup writes the TaskRouter routing (routing.ts) and PUBLIC_BASE_URL for
 * running locally (public-url.ts); doctor checks the routing.
 */
import { decidePublicBaseUrl } from '../public-url';
import { checkRouting, decideRouting, pickRouting, routingOf } from '../routing';
import type { SetupMode } from './types';

export const webhook: SetupMode = {
  label: 'this service creates the chat and the Flex task itself (/interaction)',
  flags: [],
  otherChatService: 'problem',
  async setup(ctx) {
    decideRouting(ctx, await pickRouting(ctx));
    await decidePublicBaseUrl(ctx, false);
  },
  async check(ctx) {
    const routing = routingOf(ctx.value);
    if (routing) await checkRouting(ctx, routing);
  },
};
