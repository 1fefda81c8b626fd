/**
 * The errors a request can end in, each with its HTTP status and a stable
 * machine-readable code. Domain code throws these; `src/http.ts` turns any of
 * them into the one JSON error shape `{error: {code, message, fields?}}`.
 * Anything else thrown is a bug and becomes a bare 500 with no details.
 */

/** A stable, documented error code: clients may branch on it. */
export type ErrorCode =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'origin_not_allowed'
  | 'challenge_required'
  | 'challenge_invalid'
  | 'challenge_expired'
  | 'challenge_used'
  | 'captcha_required'
  | 'captcha_invalid'
  | 'captcha_unavailable'
  | 'invalid_token'
  | 'token_expired'
  | 'session_expired'
  | 'chat_ended'
  | 'forbidden'
  | 'budget_exceeded'
  | 'outside_opening_hours'
  | 'customer_token_invalid'
  | 'customer_token_expired'
  | 'customer_token_required'
  | 'customer_keys_unavailable'
  | 'not_configured'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'chat_starting'
  | 'customer_chat_limit'
  | 'not_enabled'
  | 'survey_answered'
  | 'no_email_on_record'
  | 'transcript_limit_reached'
  | 'email_failed'
  | 'internal_error';

export interface FieldProblem {
  /** The request field (or environment variable) the problem is about. */
  field: string;
  /** What is wrong, in words a developer can act on. Never echoes the value. */
  problem: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: readonly FieldProblem[],
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the body or query is malformed, of the wrong type, or too large. */
export class BadRequestError extends HttpError {
  constructor(message: string, fields?: readonly FieldProblem[]) {
    super(400, 'invalid_request', message, fields);
  }
}

/** 415: the request body is not JSON. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(received: string | undefined) {
    super(
      415,
      'unsupported_media_type',
      `Send the body as JSON with "Content-Type: application/json"${
        received ? ` (got "${received.slice(0, 100)}")` : ''
      }.`,
    );
  }
}

/** 401: the token is missing, malformed, forged, or expired beyond grace. */
export class UnauthorizedError extends HttpError {
  constructor(code: 'invalid_token' | 'token_expired', message: string) {
    super(401, code, message);
  }
}

/** 403: the caller is known but not allowed (origin, session age, membership). */
export class ForbiddenError extends HttpError {
  constructor(
    code: 'origin_not_allowed' | 'session_expired' | 'chat_ended' | 'forbidden',
    message: string,
  ) {
    super(403, code, message);
  }
}

export type ChallengeErrorCode =
  'challenge_required' | 'challenge_invalid' | 'challenge_expired' | 'challenge_used';

const CHALLENGE_MESSAGES: Record<ChallengeErrorCode, string> = {
  challenge_required: 'Solve a challenge from /challenge first and send it as "proof".',
  challenge_invalid: 'The proof is not a solved challenge this service issued for this website.',
  challenge_expired: 'The challenge has expired. Get a new one from /challenge.',
  challenge_used: 'This challenge has already started a chat. Get a new one from /challenge.',
};

/**
 * 403 (409 when already used): `/start-chat` without a solved, unexpired,
 * single-use challenge this service issued for the calling website
 * (src/guard/challenge.ts). A client answers each by solving a new challenge.
 */
export class ChallengeError extends HttpError {
  constructor(code: ChallengeErrorCode) {
    super(code === 'challenge_used' ? 409 : 403, code, CHALLENGE_MESSAGES[code]);
  }
}

export type CaptchaErrorCode = 'captcha_required' | 'captcha_invalid' | 'captcha_unavailable';

const CAPTCHA_MESSAGES: Record<CaptchaErrorCode, string> = {
  captcha_required: 'Complete the CAPTCHA and send its token as "captcha".',
  captcha_invalid: 'The CAPTCHA was not passed on this website, or its token was used already.',
  captcha_unavailable: 'The CAPTCHA could not be checked just now. Complete it again and retry.',
};

/**
 * 403 (503 when the provider did not answer in time): `/start-chat` without a
 * CAPTCHA token its provider confirms for the calling website, when CAPTCHA
 * is on (src/guard/captcha.ts). A client answers each with a new token.
 */
export class CaptchaError extends HttpError {
  constructor(code: CaptchaErrorCode) {
    super(code === 'captcha_unavailable' ? 503 : 403, code, CAPTCHA_MESSAGES[code]);
  }
}

/**
 * 429: a budget (src/guard/budget.ts) allows no more chats for now.
 * `Retry-After` says when to try again, in whole seconds (at least 1).
 */
export class BudgetExceededError extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'budget_exceeded', message, undefined, retryAfter(retryAfterSeconds));
  }
}

/**
 * 403: /start-chat outside opening hours (src/guard/hours.ts), unless
 * AFTER_HOURS=message.
 * The message says when it opens (an instant, in UTC, and the zone).
 */
export class OutsideHoursError extends HttpError {
  constructor(opensAt: number | undefined, timeZone: string) {
    super(
      403,
      'outside_opening_hours',
      opensAt === undefined
        ? 'We are closed: chats cannot be started now.'
        : `We are closed: chats can be started again from ${new Date(opensAt).toISOString()} (opening hours in ${timeZone}).`,
    );
  }
}

export type CustomerTokenErrorCode =
  | 'customer_token_invalid'
  | 'customer_token_expired'
  | 'customer_token_required'
  | 'customer_keys_unavailable';

const CUSTOMER_TOKEN_MESSAGES: Record<CustomerTokenErrorCode, string> = {
  customer_token_invalid: 'The customer token is not valid. Get a new one from the website.',
  customer_token_expired: 'The customer token has expired. Get a new one from the website.',
  customer_token_required: 'Sign in on the website first: this chat needs a customer token.',
  customer_keys_unavailable:
    'The keys that verify customer tokens could not be fetched just now. Try again shortly.',
};

/** How long to wait before retrying when the JWKS URL did not answer. */
export const CUSTOMER_KEYS_RETRY_SECONDS = 30;

/**
 * 401 (503 when the company's keys could not be fetched): a signed-in
 * customer's token (src/customer/verify.ts) was refused or is missing. The
 * message is general on purpose: which check failed goes to the log, so a
 * forger learns nothing; a client answers each 401 with a fresh token.
 */
export class CustomerTokenError extends HttpError {
  constructor(code: CustomerTokenErrorCode, message = CUSTOMER_TOKEN_MESSAGES[code]) {
    const unavailable = code === 'customer_keys_unavailable';
    super(
      unavailable ? 503 : 401,
      code,
      message,
      undefined,
      unavailable ? retryAfter(CUSTOMER_KEYS_RETRY_SECONDS) : {},
    );
  }
}

/**
 * `Retry-After` in whole seconds (at least 1), readable by the widget: it is
 * not a CORS-safelisted response header, so a page on another origin sees it
 * only when the response exposes it.
 */
function retryAfter(seconds: number): Record<string, string> {
  return {
    'Retry-After': String(Math.max(1, Math.ceil(seconds))),
    'Access-Control-Expose-Headers': 'Retry-After',
  };
}

/**
 * 503: the deployment is missing or has malformed configuration. `fields`
 * names the environment variables; their values are never included.
 */
export class ConfigError extends HttpError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(
      503,
      'not_configured',
      `This chat service is not configured yet: ${problems
        .map((p) => p.field)
        .join(', ')}. Run npm run setup, or see .env.example for what each variable means.`,
      problems,
    );
  }
}

/**
 * `Retry-After` for Twilio's 429: its limits count requests per second, and
 * its 429 carries no wait of its own, so one second is the real least wait.
 * How long a crowd takes is not knowable here (nothing is shared between
 * requests): the widget adds a growing random wait (client/lib/start-retry.ts).
 */
export const TWILIO_RATE_WINDOW_SECONDS = 1;

/**
 * 502 (or 503 when Twilio rate-limits us): a Twilio API call failed. The
 * message is generic on purpose; details go to the log, not to the browser.
 */
export class UpstreamError extends HttpError {
  constructor(
    message: string,
    /** Which step failed, for logs ("create conversation", ...). */
    readonly step: string,
    /** Twilio's HTTP status, if a response came back. */
    readonly upstreamStatus: number | undefined,
    /** Twilio's error code (e.g. 20404), if the response had one. */
    readonly twilioCode: number | undefined,
  ) {
    // Twilio's 429 means "try again shortly", which for our caller is a
    // temporarily unavailable service: 503 with Retry-After, not a bad gateway.
    const rateLimited = upstreamStatus === 429;
    super(
      rateLimited ? 503 : 502,
      rateLimited ? 'upstream_rate_limited' : 'upstream_error',
      message,
      undefined,
      rateLimited ? retryAfter(TWILIO_RATE_WINDOW_SECONDS) : {},
    );
  }
}

/**
 * 503 with `Retry-After`: a signed-in customer's chat is being started right
 * now by another request of theirs (another device or tab), and did not show
 * up in time to be joined (src/customer/continuity.ts). Nothing was started
 * by this request, so the same body may be sent again after the wait: it
 * then joins that chat. The widget's start retry waits and retries it.
 */
export class ChatStartingError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(
      503,
      'chat_starting',
      'Your chat is being started on another device or tab. Try again in a moment to join it.',
      undefined,
      retryAfter(retryAfterSeconds),
    );
  }
}

/**
 * 409: Twilio refused to add the customer to one more conversation: an
 * identity may be in at most 1,000 conversations that are not closed
 * (Twilio's errors 50214 and, for Flex Flow chat channels, 45207). Nothing
 * was started. Closing that customer's old conversations (or letting their
 * timers close them) lets them chat again; docs/api.md says how.
 */
export class CustomerChatLimitError extends HttpError {
  constructor() {
    super(
      409,
      'customer_chat_limit',
      'This customer is in too many open conversations to start another (Twilio allows 1,000 per identity). Close old conversations, then try again.',
    );
  }
}

/** 404: an optional endpoint this deployment has not turned on (its variable says how). */
export class NotEnabledError extends HttpError {
  constructor(variable: string) {
    super(404, 'not_enabled', `This endpoint is not enabled on this service (${variable}).`);
  }
}

/** 409: this chat's survey has been answered already (src/survey.ts): one answer per chat. */
export class SurveyAnsweredError extends HttpError {
  constructor() {
    super(409, 'survey_answered', "This chat's survey has been answered already.");
  }
}

/**
 * 422: /transcript has no address to send to: the chat's record holds no
 * email (the form's, or a signed-in customer's). An address typed at that
 * moment is never used (no open relay).
 */
export class NoEmailOnRecordError extends HttpError {
  constructor() {
    super(
      422,
      'no_email_on_record',
      'This chat has no email address on record, so its transcript cannot be emailed.',
    );
  }
}

/** 429: this chat's transcript has been emailed as many times as allowed; it stays so. */
export class TranscriptLimitError extends HttpError {
  constructor(limit: number) {
    super(
      429,
      'transcript_limit_reached',
      `This chat's transcript has already been emailed ${limit} times.`,
    );
  }
}

/** 502: the email provider (SendGrid) did not take the email; details go to the log. */
export class EmailFailedError extends HttpError {
  constructor() {
    super(502, 'email_failed', 'The email could not be sent just now. Please try again later.');
  }
}
