/**
 * The chat client's own health: its connection states go to the reducer
 * (the banner shows them), and a client that is refused or stops trying is
 * renewed or replaced. Token warnings from the SDK ask for a renewal. The
 * decision is `reactionTo`, pure; the controller does the renewing and the
 * replacing.
 *
 * @example
 *   const detach = followClient(client, {
 *     dispatch, denials: () => state.denials, renewToken, replace: () => replaceLater(client),
 *   });
 */
import type { ChatClient, ConnectionState } from './chat-client';
import type { Action } from './state';

export interface ClientHooks {
  dispatch: (action: Action) => void;
  /** Refusals of the token since the last connection, this one counted. */
  denials: () => number;
  /** Asks the service for a fresh token and gives it to the client. */
  renewToken: () => void;
  /** Back off, then start over with a new client (the controller judges whether it still should). */
  replace: () => void;
}

export type Reaction = 'renew' | 'replace' | undefined;

/** What a connection state asks for, given the refusals so far (this one counted). */
export function reactionTo(state: ConnectionState, denials: number): Reaction {
  // Refused: the first time, a fresh token; again after that, the token is
  // not the problem, so back off and start over with a new client.
  if (state === 'denied') return denials < 2 ? 'renew' : 'replace';
  // The client stopped trying by itself: it will not come back on its own.
  if (state === 'disconnected' || state === 'error') return 'replace';
  return undefined;
}

/** Subscribes to the client's connection and token events; returns the detachers. */
export function followClient(client: ChatClient, hooks: ClientHooks): (() => void)[] {
  return [
    client.on('connectionStateChanged', (state) => {
      hooks.dispatch({ type: 'connection', state });
      const reaction = reactionTo(state, hooks.denials());
      if (reaction === 'renew') hooks.renewToken();
      else if (reaction === 'replace') hooks.replace();
    }),
    client.on('tokenAboutToExpire', () => hooks.renewToken()),
    client.on('tokenExpired', () => hooks.renewToken()),
  ];
}
