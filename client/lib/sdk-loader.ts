/**
 * Loads the Conversations SDK bundle (webchat-sdk.js) only when it is needed,
 * so what a visitor downloads first is the small widget script. It comes
 * through the widget's one script loader (script-loader.ts); the bundle
 * registers its factory with `FlexWebchat.registerSdk`, which webchat.js
 * passes on to `registerSdk` here (client/lib/registry.ts). When to fetch it
 * ahead of the chat (`preloadSdk`) is webchat.js's call (client/lib/shell.ts).
 */
import type { ChatClientFactory } from './chat-client';
import { loadScript } from './script-loader';

let registered: ChatClientFactory | undefined;

/** Called (through webchat.js's registry) when webchat-sdk.js has run. */
export function registerSdk(factory: ChatClientFactory): void {
  registered = factory;
}

export async function loadSdk(url: string): Promise<ChatClientFactory> {
  if (!registered) {
    await loadScript(url, () => registered !== undefined).catch(() => {
      throw new Error('The chat library could not be loaded.');
    });
  }
  if (!registered) throw new Error('The chat library did not start.');
  return registered;
}
