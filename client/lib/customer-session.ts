/**
 * A signed-in customer's widget, wired to the chat (customer.ts has the
 * tokens): who they are, read from their token when the form is shown (the
 * form skips or locks what it answers, view/signed-in-form.ts); "your chat
 * continues" when /start-chat returned their active chat; their previous
 * chat (SHOW_PREVIOUS_CHAT) asked once per chat after connecting. No DOM
 * here; it runs in webchat-customer.js (customer-loader.ts).
 *
 * @example
 *   const customer = new CustomerSession({ tokens, previousChat: (t) => fetchPreviousChat(url, t) });
 *   const api = withCustomer(createApi(url), tokens, fail, (chat) => customer.started(chat));
 *   customer.attach(controller);
 */
import type { StartedChat } from './api';
import type { ChatController } from './controller';
import { codeOf, decodeCustomer, type CustomerTokens } from './customer';
import type { PreviousChat } from './customer-state';
import type { State } from './state';

/** The parts of the controller this uses. */
export type CustomerChat = Pick<ChatController, 'state' | 'subscribe' | 'dispatch' | 'session'>;

export interface CustomerSessionDeps {
  tokens: CustomerTokens;
  /** POST /previous-chat with the chat's Access Token (api.ts fetchPreviousChat). */
  previousChat?: (token: string) => Promise<PreviousChat | null>;
}

export class CustomerSession {
  private chat?: CustomerChat;
  /** The form in view has been told who is signed in (asked once per showing). */
  private lookedUp = false;
  /** Chats whose previous chat was asked for (once each, whatever the answer). */
  private readonly asked = new Set<string>();
  /** The service answered 404 not_enabled: SHOW_PREVIOUS_CHAT is off, do not ask again. */
  private previousEnabled = true;

  constructor(private readonly deps: CustomerSessionDeps) {}

  attach(chat: CustomerChat): void {
    this.chat = chat;
    if (!this.deps.tokens.configured) return; // an anonymous page: nothing to do
    chat.subscribe((state) => this.follow(state));
    this.follow(chat.state);
  }

  /** Logout: the page's static token is not used again, and the next form asks anew. */
  forget(): void {
    this.deps.tokens.forget();
    this.lookedUp = false;
  }

  /** What /start-chat answered (withCustomer's onStarted): continued, and verified who. */
  started(chat: StartedChat): void {
    this.chat?.dispatch({
      type: 'customer',
      resumed: chat.resumed === true,
      ...(chat.customer && { signedIn: chat.customer }),
    });
  }

  private follow(state: State): void {
    if (state.phase !== 'form') this.lookedUp = false;
    else if (state.open && !this.lookedUp) {
      this.lookedUp = true;
      void this.lookUp();
    }
    const sid = state.conversationSid;
    if (state.phase === 'chat' && sid && state.identity?.startsWith('cust_')) this.askPrevious(sid);
  }

  /** Who is signed in, for the form: asks the page for a token, shows what it says. */
  private async lookUp(): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.deps.tokens.fresh();
    } catch {
      return; // the page could not say: the form stays as it is, the start will ask again
    }
    if (this.chat?.state.phase !== 'form') return;
    this.chat.dispatch({
      type: 'customer',
      signedIn: token ? (decodeCustomer(token) ?? {}) : undefined,
    });
  }

  private askPrevious(conversationSid: string): void {
    const ask = this.deps.previousChat;
    const token = this.chat?.session.current?.token;
    if (!ask || !this.previousEnabled || !token || this.asked.has(conversationSid)) return;
    this.asked.add(conversationSid);
    ask(token).then(
      (previousChat) => {
        const chat = this.chat;
        if (!previousChat?.messages.length || chat?.state.conversationSid !== conversationSid)
          return;
        chat.dispatch({ type: 'customer', previousChat });
      },
      (error: unknown) => {
        // Not shown otherwise: it is a courtesy, not worth a retry loop or an error.
        if (codeOf(error) === 'not_enabled') this.previousEnabled = false;
      },
    );
  }
}
