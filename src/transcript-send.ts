/**
 * POST /transcript's work: email a customer their chat's transcript, to the
 * address on the chat's record only, at most TRANSCRIPT_MAX_SENDS times.
 *
 *   round 1  fetch the conversation || its participants || its messages
 *            (100 a page; a longer chat is read from both ends at once, at
 *            most its first 500 and last 500: src/transcript-messages.ts);
 *            the token's identity must be a participant, and the chat one
 *            this service started for it (its seal: src/customer-chat.ts)
 *            the address: the one sealed at the start (a signed-in
 *            customer's verified email, or else the form's); none: 422
 *            `no_email_on_record`. Never one sent in the request, nor one
 *            edited into the attributes: that would make us an open relay.
 *   round 2+ claim a send in Sync: `webchat-transcript-<start>-1`, then `-2`,
 *            `-3` (a Document's unique name, created once), so however many
 *            requests arrive together, at most 3 emails leave; all taken:
 *            429 `transcript_limit_reached`
 *            || the agents' names, as the widget showed them (its
 *            `agentName`; none read for `role`: src/transcript-agents.ts)
 *   last     SendGrid's Mail Send (src/transcript-mail.ts); if it fails the
 *            claim is given back (best effort), so trying again can send.
 *
 * Refusals (not configured, not this customer's chat, no address, the limit)
 * write nothing to Twilio and send nothing. Sync failing: refused with the
 * upstream error (the limit is what keeps this from being a mail cannon, so
 * it is never skipped).
 */
import type { Twilio } from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/conversations/v1/service/conversation/message';
import { parseAttributes } from './chat-attributes';
import type { Config, ConfigOf } from './config';
import type { TranscriptSettings } from './config/transcript';
import { readCustomerChat } from './customer-chat';
import { ConfigError, NoEmailOnRecordError, TranscriptLimitError } from './errors';
import { sharedState } from './guard/shared-state';
import { log } from './log';
import { transcriptContent, transcriptStrings, type TranscriptLine } from './transcript';
import { agentNames } from './transcript-agents';
import { sendMail } from './transcript-mail';
import { readTranscriptMessages, type TranscriptMessages } from './transcript-messages';
import type { TranscriptRequest } from './transcript-request';
import { isCustomerIdentity, parseIdentity } from './identity';
import { nullIfGone } from './twilio-errors';

export const TRANSCRIPT_MAX_SENDS = 3;

/** A send's claim, per start (src/chat-seal.ts): in address mode a copied seal shares the limit. */
export const transcriptClaimKey = (start: string, n: number) => `webchat-transcript-${start}-${n}`;

type TranscriptConfig = Pick<Config, 'conversationsServiceSid' | 'apiSecret' | 'handoffMode'> &
  ConfigOf<'sync' | 'transcript'> &
  Pick<Config, 'sessionMaxAgeSeconds' | 'refreshGraceSeconds'>;

/** The transcript's settings, or a 503 naming the variables when it is off. */
export function transcriptOn(config: ConfigOf<'transcript'>): TranscriptSettings {
  if (config.transcript) return config.transcript;
  throw new ConfigError([
    { field: 'SENDGRID_API_KEY', problem: 'is required to email transcripts' },
    { field: 'TRANSCRIPT_FROM', problem: 'is required to email transcripts' },
  ]);
}

/** `ana@example.com` -> `a•••@example.com`: enough to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}

const ENDED_NOTICE = 'customer_ended_chat';

function linesOf(
  read: TranscriptMessages,
  identity: string,
  names: Map<string, string>,
): TranscriptLine[] {
  const lines = read.messages.map((m): TranscriptLine | undefined => {
    if (m.author === 'system' && parseAttributes(m.attributes).event === ENDED_NOTICE) return;
    const by = isCustomerSide(m.author, identity)
      ? 'customer'
      : m.author === 'system'
        ? 'system'
        : 'agent';
    return {
      by,
      ...(by === 'agent' && { name: names.get(m.author) }),
      at: m.dateCreated,
      text: m.body ?? '',
      files: ((m.media ?? []) as { filename?: string | null; sid?: string }[]).map(
        (media) => media.filename ?? media.sid ?? '',
      ),
    };
  });
  if (read.cut && read.cutAfter !== undefined) {
    const first = read.cutAfter + 1;
    lines.splice(first, 0, { by: 'cut', first, last: read.messages.length - first });
  }
  return lines.filter((line) => line !== undefined);
}

/**
 * The customer's side: the chat's customer, and any other customer identity
 * (`web_…`, `cust_…`) that joined it, which is never an agent: a second
 * customer token joining a chat (a role with joinConversation) must not pass
 * for the company's agent, with a name of its choosing, in the email.
 */
const isCustomerSide = (author: string | null, identity: string) =>
  author === identity ||
  (author !== null && (parseIdentity(author) !== undefined || isCustomerIdentity(author)));

/** Agents: authors who are neither on the customer's side nor this service. */
const agentsOf = (messages: MessageInstance[], identity: string) =>
  messages.map((m) => m.author).filter((a) => !isCustomerSide(a, identity) && a !== 'system');

/** Claims the first free send of this chat's start; 0 when all are taken. */
async function claimSend(client: Twilio, config: TranscriptConfig, start: string) {
  const state = sharedState(client, config);
  const ttl = config.sessionMaxAgeSeconds + config.refreshGraceSeconds;
  for (let n = 1; n <= TRANSCRIPT_MAX_SENDS; n++) {
    if (await state.claimOnce(transcriptClaimKey(start, n), ttl)) return n;
  }
  return 0;
}

export async function emailTranscript(
  client: Twilio,
  config: TranscriptConfig,
  identity: string,
  request: Omit<TranscriptRequest, 'token'>,
  nowMs: number,
): Promise<{ sent: true; to: string; remaining: number }> {
  const settings = transcriptOn(config);
  const { conversationSid } = request;
  const logFields = { conversationSid };
  const chat = await readCustomerChat(client, config, identity, conversationSid, nowMs, (c) =>
    readTranscriptMessages(c.messages).catch(nullIfGone('read the messages', logFields)),
  );
  // The address sealed at the start, never one edited into the attributes later.
  const to = chat.sealed.email;
  if (!to) throw new NoEmailOnRecordError();
  const { start } = chat.sealed;
  const read = chat.extra ?? { messages: [], cut: false };
  const label = request.agentRoleLabel;
  const [slot, names] = await Promise.all([
    claimSend(client, config, start),
    agentNames(
      client,
      config.conversationsServiceSid,
      agentsOf(read.messages, identity),
      request.agentName,
      label ?? transcriptStrings(chat.attributes.locale).agent,
      logFields,
    ),
  ]);
  if (slot === 0) throw new TranscriptLimitError(TRANSCRIPT_MAX_SENDS);
  const mail = transcriptContent(linesOf(read, identity, names), {
    locale: chat.attributes.locale,
    timeZone: request.timeZone,
    ...(label && { agentLabel: label }),
  });
  try {
    await sendMail(settings, to, mail, logFields);
  } catch (error) {
    await sharedState(client, config)
      .release(transcriptClaimKey(start, slot))
      .catch(() => log.warn('transcript.release_failed', logFields));
    throw error;
  }
  log.info('transcript.sent', { ...logFields, send: slot });
  return { sent: true, to: maskEmail(to), remaining: TRANSCRIPT_MAX_SENDS - slot };
}
