/**
 * `HANDOFF_MODE=webhook`: the customer's first message goes to this service's
 * own `/interaction` function, which creates the Flex Interaction itself
 * (see `src/interaction/`). Chosen to skip Studio, to add routing attributes
 * or to run logic before the hand-off.
 *
 *   PUBLIC_BASE_URL           where Twilio reaches /interaction (locally: a tunnel)
 *   TASKROUTER_WORKSPACE_SID  WS…, TASKROUTER_WORKFLOW_SID WW…: where the task goes
 *   TASK_CHANNEL              the task channel's unique name (`chat`)
 *
 * Starting a chat reads all of them, though it only registers the URL: a chat
 * whose `/interaction` could not route it would wait for an agent forever.
 * Start: 2 round trips, 3 with a question (see conversation.ts). End: the
 * Interaction Channel `/interaction` recorded is closed (see close.ts).
 */
import { FLEX_CONVERSATION_ENDING } from './close';
import { hasHandOff, startConversationChat } from './conversation';
import { interactionWebhook, readInteractionRoute, ROUTE_VARIABLES } from './route';
import type { HandoffModule, InteractionRoute } from './types';

/** Our conversations are named after their customer (see conversation.ts). */
const NAMED_AFTER_CUSTOMER = true;

export const webhook = {
  singleUse: 'unique-name',
  variables: ROUTE_VARIABLES,
  readStart: (read, runtime) => readInteractionRoute(read, runtime, NAMED_AFTER_CUSTOMER),
  readInteraction: (read, runtime) => readInteractionRoute(read, runtime, NAMED_AFTER_CUSTOMER),
  startChat: (client, config, { interactionUrl }, chat) =>
    startConversationChat(client, config, chat, interactionWebhook(interactionUrl)),
  ...FLEX_CONVERSATION_ENDING,
  isHandedOff: hasHandOff,
} satisfies HandoffModule<InteractionRoute>;
