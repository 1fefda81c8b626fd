/**
 * The post-chat survey's answer (POST /survey): one per chat, stored on the
 * conversation's attributes as `survey: {rating, comment?, at}` (where Flex
 * plugins, Studio and reporting can read it), then sent to the optional
 * SURVEY_WEBHOOK_URL, signed (src/survey-webhook.ts).
 *
 *   round 1  fetch the conversation || list its participants (the token's
 *            identity must be one of them, and the chat sealed by this
 *            service for it: src/customer-chat.ts); an answer
 *            in the attributes already: 409 `survey_answered`, nothing written
 *   round 2  claim `webchat-survey-<start>` in Sync (a Document's unique name:
 *            Twilio creates it once), so two answers sent at the same moment
 *            cannot both be stored; the loser gets the same 409
 *   round 3  write the attributes: what was there, plus `survey`
 *   round 4  the webhook, if configured (its failure is logged, not returned)
 *
 * Sync unavailable (an outage, a 429): the answer is taken anyway, logged as
 * `survey.claim_unavailable`, and the attributes' check of round 1 still
 * refuses any answer after the first; only answers racing each other during
 * the outage could both be stored. A failed attribute write gives the claim
 * back (best effort) so the customer can send again.
 *
 * Hazard: round 3 writes the attributes it read in round 1: a write by
 * someone else in between (Flex, a plugin) would be lost. The survey comes
 * after the chat, when nothing else writes them.
 *
 * The chat need not be closed yet (an agent's close reaches Twilio a moment
 * after the customer sees "ended"): one answer per chat is the rule.
 */
import type { Twilio } from 'twilio';
import type { Config, ConfigOf } from './config';
import type { SurveySettings } from './config/survey';
import { readCustomerChat } from './customer-chat';
import { ConfigError, SurveyAnsweredError } from './errors';
import { sharedState } from './guard/shared-state';
import { log } from './log';
import { postWebhook } from './survey-webhook';
import { twilioStep, upstreamStatus } from './twilio-errors';

export interface SurveyAnswer {
  conversationSid: string;
  /** 1 (worst) to 5 (best). */
  rating: number;
  comment?: string;
}

export interface SurveyRecord {
  rating: number;
  comment?: string;
  /** When the answer arrived, ISO 8601. */
  at: string;
}

/** The answer's claim, per start (src/chat-seal.ts): in address mode a copied seal shares it. */
export const surveyClaimKey = (start: string) => `webchat-survey-${start}`;

type SurveyConfig = Pick<Config, 'conversationsServiceSid' | 'apiSecret' | 'handoffMode'> &
  ConfigOf<'sync' | 'survey'> &
  Pick<Config, 'sessionMaxAgeSeconds' | 'refreshGraceSeconds'>;

/** The survey's settings, or a 503 naming SURVEY when it is off. */
export function surveyOn(config: ConfigOf<'survey'>): SurveySettings {
  if (config.survey) return config.survey;
  throw new ConfigError([
    { field: 'SURVEY', problem: 'is off: set SURVEY=on to take post-chat survey answers' },
  ]);
}

export async function saveSurvey(
  client: Twilio,
  config: SurveyConfig,
  identity: string,
  answer: SurveyAnswer,
  nowMs: number,
): Promise<{ saved: true; webhook?: 'sent' | 'failed' }> {
  const settings = surveyOn(config);
  const { conversationSid } = answer;
  const logFields = { conversationSid };
  const chat = await readCustomerChat(client, config, identity, conversationSid, nowMs);
  if (chat.attributes.survey !== undefined) throw new SurveyAnsweredError();

  const state = sharedState(client, config);
  const key = surveyClaimKey(chat.sealed.start);
  let claimed = false;
  try {
    // Outlasts every token that could answer (the session, plus the grace).
    claimed = await state.claimOnce(key, config.sessionMaxAgeSeconds + config.refreshGraceSeconds);
    if (!claimed) throw new SurveyAnsweredError();
  } catch (error) {
    if (error instanceof SurveyAnsweredError) throw error;
    log.warn('survey.claim_unavailable', { ...logFields, upstreamStatus: upstreamStatus(error) });
  }

  const record: SurveyRecord = {
    rating: answer.rating,
    ...(answer.comment !== undefined && { comment: answer.comment }),
    at: new Date(nowMs).toISOString(),
  };
  try {
    await twilioStep({ step: 'store the survey', logFields }, () =>
      chat.conversation.update({
        attributes: JSON.stringify({ ...chat.attributes, survey: record }),
      }),
    );
  } catch (error) {
    if (claimed) await state.release(key).catch(() => log.warn('survey.release_failed', logFields));
    throw error;
  }
  log.info('survey.saved', { ...logFields, rating: record.rating });
  if (!settings.webhook) return { saved: true };
  const payload = { event: 'webchat.survey', conversationSid, ...record };
  const sent = await postWebhook(settings.webhook, payload, nowMs, logFields);
  return { saved: true, webhook: sent ? 'sent' : 'failed' };
}
