/**
 * A signed-in customer's conversations as Twilio lists them
 * (`GET …/ParticipantConversations?Identity=cust_…`, 50 a page, sorted by
 * conversation SID, closed ones included): read page by page until one in
 * progress shows, or all of it (at most MAX_PAGES). Used by the continuity
 * of a start (continuity.ts), the previous chat (continuity-previous.ts) and
 * the open-chat check (src/chat-open.ts).
 *
 * @example
 *   const chats = await findCustomerChats(client, config, identity, hasEnded);
 *   chats.inProgress?.conversationSid; // the newest chat in progress, if any
 */
import type { Twilio } from 'twilio';
import type { ParticipantConversationInstance } from 'twilio/lib/rest/conversations/v1/service/participantConversation';
import { parseAttributes } from '../chat-attributes';
import type { Config } from '../config';
import { twilioStep } from '../twilio-errors';

/** Twilio's largest page of ParticipantConversations. */
export const PAGE_SIZE = 50;
/** At most 20 pages of 50 are read (Twilio keeps 1,000 not-closed conversations per identity). */
export const MAX_PAGES = 20;
/** Whether a conversation has ended by the mode's reading (src/modes/: `hasEnded`). */
export type HasEnded = (state: string, attributes: Record<string, unknown>) => boolean;

export type ListedConversation = Pick<
  ParticipantConversationInstance,
  | 'conversationSid'
  | 'conversationState'
  | 'conversationAttributes'
  | 'conversationDateCreated'
  | 'conversationDateUpdated'
  | 'conversationUniqueName'
>;

export interface CustomerChats {
  /** The customer's chat in progress (the newest, should there be several). */
  inProgress?: ListedConversation;
  /** Every conversation listed (closed ones included), in the order Twilio gave. */
  listed: ListedConversation[];
  /** Whether `listed` is the whole list (not cut short at a chat in progress or MAX_PAGES). */
  complete: boolean;
}

export type ServiceConfig = Pick<Config, 'conversationsServiceSid'>;

export interface ListPage {
  instances: ListedConversation[];
  nextPageUrl?: string;
  nextPage(): Promise<unknown> | undefined;
}

const LIST_STEP = {
  step: "read the customer's conversations",
  notFoundMeans: 'CONVERSATIONS_SERVICE_SID',
};

/** Whether a listed conversation is still in progress: not closed, not ended. */
export function inProgress(hasEnded: HasEnded) {
  return (c: ListedConversation): boolean =>
    c.conversationState !== 'closed' &&
    !hasEnded(c.conversationState, parseAttributes(c.conversationAttributes));
}

export function firstPage(
  client: Twilio,
  config: ServiceConfig,
  identity: string,
): Promise<ListPage> {
  return twilioStep(LIST_STEP, () =>
    client.conversations.v1
      .services(config.conversationsServiceSid)
      .participantConversations.page({ identity, pageSize: PAGE_SIZE }),
  );
}

/**
 * The list from a first page on, page by page, until one in progress shows
 * (then the rest is not needed) or the list ends. `untilInProgress: false`
 * reads it all (at most MAX_PAGES).
 */
export async function readOn(
  first: ListPage,
  hasEnded: HasEnded,
  untilInProgress: boolean,
): Promise<CustomerChats> {
  const isOpen = inProgress(hasEnded);
  const listed: ListedConversation[] = [];
  let page = first;
  let complete: boolean;
  for (let pages = 1; ; pages++) {
    listed.push(...page.instances);
    complete = !page.nextPageUrl;
    if (complete || (untilInProgress && page.instances.some(isOpen)) || pages >= MAX_PAGES) break;
    const next = page.nextPage();
    if (!next) break;
    // The library types the next page loosely; it is the same resource's page.
    page = (await twilioStep(LIST_STEP, () => next)) as ListPage;
  }
  const newest = newestOf(listed.filter(isOpen));
  return { listed, complete, ...(newest && { inProgress: newest }) };
}

/** The customer's conversations (see `readOn`). */
export async function findCustomerChats(
  client: Twilio,
  config: ServiceConfig,
  identity: string,
  hasEnded: HasEnded,
  { untilInProgress = true }: { untilInProgress?: boolean } = {},
): Promise<CustomerChats> {
  return readOn(await firstPage(client, config, identity), hasEnded, untilInProgress);
}

const dateOf = (c: ListedConversation): number => c.conversationDateCreated?.getTime() ?? 0;
export const newestOf = (open: ListedConversation[]) =>
  open.sort((a, b) => dateOf(b) - dateOf(a))[0];
