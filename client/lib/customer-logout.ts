/**
 * FlexWebchat.logout() in one tab reaches the site's other tabs: each
 * forgets its chat too and shows what a signed-out visitor sees.
 *
 * - `announceLogout` is in webchat.js (a few bytes): the page that signs
 *   out may well have no signed-in customer's part.
 * - `onLogoutElsewhere` is in webchat-customer.js: only pages with a
 *   signed-in customer hold their chat (a stored `cust_` chat on a page
 *   without one is refused at its first renewal, which needs a customer
 *   token, and forgotten), so only they need to hear it.
 *
 * A BroadcastChannel named after the service, not the `storage` event: the
 * widget keeps its session in the tab's sessionStorage by default, whose
 * changes other tabs never hear (and with `persist: 'browser'`, removing
 * the key would not stop a chat another tab has open). Same origin only, as
 * the chat's storage is. Where BroadcastChannel is missing, logout stays in
 * its own tab.
 *
 * @example
 *   logout = (options) => (announceLogout(config.startChatUrl), forget(chat, options));
 *   onLogoutElsewhere(config.startChatUrl, () => void session.loggedOut());
 */
const channelName = (startChatUrl: string) => `flex-webchat:${startChatUrl}`;

export function announceLogout(startChatUrl: string): void {
  try {
    const channel = new BroadcastChannel(channelName(startChatUrl));
    channel.postMessage('logout'); // delivered to the others even once this one is closed
    channel.close();
  } catch {
    // No BroadcastChannel here: this tab only.
  }
}

export function onLogoutElsewhere(startChatUrl: string, loggedOut: () => void): void {
  try {
    const channel = new BroadcastChannel(channelName(startChatUrl));
    channel.onmessage = (event) => event.data === 'logout' && loggedOut();
  } catch {
    // No BroadcastChannel here: nothing will be heard.
  }
}
