/**
 * What a customer can do once a chat has ended: answer the survey (POST
 * /survey) and have the transcript emailed (POST /transcript). Both need the
 * chat's last token, which the controller forgets when the chat ends, so
 * `track` wraps the api and remembers the newest one it saw (from a start
 * or a renewal). The service accepts it a while after it expires
 * (REFRESH_GRACE_SECONDS).
 *
 * @example
 *   const after = new AfterChat(startChatUrl);
 *   const api = after.track(createApi(startChatUrl));
 *   await after.sendSurvey(conversationSid, 5, 'Great');
 */
import type { AfterChatOptions } from './after-chat-loader';
import type { AgentNameMode } from './agent-name';
import { postToService, siblingUrl, type Api } from './api';

/**
 * How the widget showed the chat, for the emailed copy to show it the same
 * way: agents named no more than here (`agentName`, and the label for
 * `role`), times in this browser's time zone.
 */
export interface ChatDisplay {
  agentName: AgentNameMode;
  agentRoleLabel?: string;
  timeZone?: string;
}

/** The chat as the widget showed it: agents' names as here, the label the widget used. */
export function chatDisplay(
  options: Pick<AfterChatOptions, 'agentName' | 'agentRoleLabel' | 'strings'>,
): ChatDisplay {
  const label = options.agentRoleLabel ?? options.strings.agent;
  const timeZone = browserTimeZone();
  return {
    agentName: options.agentName,
    ...(label && { agentRoleLabel: label }),
    ...(timeZone && { timeZone }),
  };
}

/** This browser's IANA time zone (`Europe/Madrid`), when it says. */
export function browserTimeZone(): string | undefined {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof zone === 'string' && zone ? zone : undefined;
  } catch {
    return undefined;
  }
}

export interface TranscriptSent {
  sent: true;
  /** The address, partly hidden (`a•••@example.com`). */
  to: string;
  /** How many more times this chat's transcript may be emailed. */
  remaining: number;
}

/**
 * The service's error code from a failed call. Read by shape, not
 * `instanceof ApiError`: the views that ask run in webchat-after.js, whose
 * copy of the class is not the one in webchat.js that threw.
 */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class AfterChat {
  private token?: string;

  constructor(
    private readonly startChatUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The api, remembering every token it hands out. */
  track(api: Api): Api {
    return {
      ...api,
      startChat: async (body) => {
        const started = await api.startChat(body);
        this.token = started.token;
        return started;
      },
      refreshToken: async (token) => {
        const renewed = await api.refreshToken(token);
        this.token = renewed.token;
        return renewed;
      },
    };
  }

  private post<T>(name: string, body: object): Promise<T> {
    const url = siblingUrl(this.startChatUrl, name);
    return postToService<T>(url, { token: this.token ?? '', ...body }, this.fetchImpl);
  }

  sendSurvey(conversationSid: string, rating: number, comment: string): Promise<unknown> {
    return this.post('survey', { conversationSid, rating, ...(comment && { comment }) });
  }

  emailTranscript(conversationSid: string, display: ChatDisplay): Promise<TranscriptSent> {
    return this.post('transcript', { conversationSid, ...display });
  }
}
