/**
 * A signed-in customer's widget, wired to the chat (customer.ts has the
 * tokens): who they are, read from their token each time the form is shown (the
 * form skips or locks what it answers, view/signed-in-form.ts); "your chat
 * continues" when /start-chat returned their active chat; their previous
 * chat (SHOW_PREVIOUS_CHAT), asked once per chat after connecting, and only
 * when the service said it answers (`previousChat: true` in /start-chat's or
 * /refresh-token's answer: a resume after a reload renews first, so it hears
 * it again); and signing out, noticed at a renewal: the chat is forgotten
 * here, as FlexWebchat.logout() does, and the form says why. No DOM here; it
 * runs in webchat-customer.js (customer-loader.ts).
 *
 * @example
 *   const customer = new CustomerSession({ tokens, previousChat: (t) => fetchPreviousChat(url, t) });
 *   const api = withCustomer(createApi(url), tokens, fail, customer);
 *   customer.attach(controller);
 */
import type { RenewedToken, StartedChat } from './api';
import type { ChatController } from './controller';
import {
  codeOf,
  decodeCustomer,
  type CustomerEvents,
  type CustomerTokens,
  type PreviousChatOffer,
} from './customer';
import type { PreviousChat } from './customer-state';
import type { State } from './state';

/** The parts of the controller this uses. */
export type CustomerChat = Pick<
  ChatController,
  'state' | 'subscribe' | 'dispatch' | 'session' | 'newChat' | 'close'
>;

/** The form's notice for a chat forgotten because the customer signed out (customer-i18n.ts). */
export const SIGNED_OUT = 'customer_signed_out';

export interface CustomerSessionDeps {
  tokens: CustomerTokens;
  /** POST /previous-chat with the chat's Access Token (api.ts fetchPreviousChat). */
  previousChat?: (token: string) => Promise<PreviousChat | null>;
}

export class CustomerSession implements CustomerEvents {
  private chat?: CustomerChat;
  /** The form in view has been told who is signed in (asked once per showing). */
  private lookedUp = false;
  /** Chats whose previous chat was asked for (once each, whatever the answer). */
  private readonly asked = new Set<string>();
  /** The service's last word on /previous-chat for this chat (`previousChat: true`). */
  private previousOffered = false;

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

  /**
   * FlexWebchat.logout() in another tab of the site (customer-logout.ts):
   * the same here as webchat.js's logout without `endChat` (the other tab
   * ended the chat or not): forgotten, closed, nobody signed in.
   */
  async loggedOutElsewhere(): Promise<void> {
    const chat = this.chat;
    this.forget();
    if (!chat) return;
    chat.close();
    await chat.newChat();
    chat.dispatch({ type: 'customer', signedIn: undefined });
  }

  /** What /start-chat answered: continued, verified who, and whether a previous chat is offered. */
  started(chat: StartedChat & PreviousChatOffer): void {
    this.previousOffered = chat.previousChat === true;
    this.chat?.dispatch({
      type: 'customer',
      resumed: chat.resumed === true,
      ...(chat.customer && { signedIn: chat.customer }),
    });
  }

  /** What a signed-in customer's renewal answered (also the first step of a resume). */
  renewed(answer: RenewedToken & PreviousChatOffer): void {
    this.previousOffered = answer.previousChat === true;
  }

  /**
   * The page says nobody is signed in any more (at a renewal, or resuming
   * after a reload): the chat is forgotten in this browser, as
   * FlexWebchat.logout() does (stored session, connection), not ended; the
   * form is what a signed-out visitor sees, saying why the chat went.
   */
  async signedOut(): Promise<void> {
    const chat = this.chat;
    if (!chat) return;
    this.lookedUp = false;
    await chat.newChat();
    chat.dispatch({ type: 'customer', signedIn: undefined });
    const message = 'You signed out, so this chat is no longer shown here.';
    chat.dispatch({ type: 'phase', phase: 'form', startError: { code: SIGNED_OUT, message } });
  }

  private follow(state: State): void {
    // Asked again at each opening: they may have signed in or out in another tab meanwhile.
    if (state.phase !== 'form' || !state.open) this.lookedUp = false;
    else if (!this.lookedUp) {
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
    // Signed in again: "you signed out" no longer holds.
    if (token && this.chat.state.startError?.code === SIGNED_OUT) {
      this.chat.dispatch({ type: 'phase', phase: 'form' });
    }
    this.chat.dispatch({
      type: 'customer',
      signedIn: token ? (decodeCustomer(token) ?? {}) : undefined,
    });
  }

  private askPrevious(conversationSid: string): void {
    const ask = this.deps.previousChat;
    const token = this.chat?.session.current?.token;
    if (!ask || !this.previousOffered || !token || this.asked.has(conversationSid)) return;
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
        if (codeOf(error) === 'not_enabled') this.previousOffered = false;
      },
    );
  }
}
