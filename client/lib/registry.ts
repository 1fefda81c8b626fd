/**
 * What the lazily loaded bundles hand to the widget, and where it goes.
 * Every bundle is its own script, so it reaches the widget only through
 * `window.FlexWebchat.register…` (client/lib/public-api.ts), which puts it
 * here, in webchat.js. webchat-ui.js follows the registry once it runs: it
 * hears what came before it (the SDK may arrive first) and what comes after.
 */
import type { AfterChatFactory } from './after-chat-loader';
import type { ChatClientFactory } from './chat-client';
import type { CustomerFactory } from './customer-loader';
import type { Formatter } from './markdown-host';
import type { Notifier } from './notify';
import type { Solve } from './solver-host';
import type { UiFactory } from './ui-contract';

export interface Registrations {
  /** webchat-ui.js: the panel, the form, the chat. */
  ui: UiFactory;
  /** webchat-sdk.js: the Conversations SDK behind our ChatClient, the formatter, the alerts. */
  sdk: ChatClientFactory;
  formatter: Formatter;
  notifier: typeof Notifier;
  /** webchat-solver.js, when it runs on the page instead of in a worker. */
  solver: Solve;
  /** webchat-customer.js, the signed-in customer's part. */
  customer: CustomerFactory;
  /** webchat-after.js: the survey and the emailed transcript. */
  afterChat: AfterChatFactory;
}

export type Followers = { [K in keyof Registrations]?: (value: Registrations[K]) => void };

export class Registry {
  private readonly values: Partial<Registrations> = {};
  private followers: Followers = {};

  put<K extends keyof Registrations>(name: K, value: Registrations[K]): void {
    this.values[name] = value;
    this.followers[name]?.(value);
  }

  get<K extends keyof Registrations>(name: K): Registrations[K] | undefined {
    return this.values[name];
  }

  /** Hands over what is here now, then each registration as it comes. */
  follow(followers: Followers): void {
    this.followers = followers;
    for (const name of Object.keys(this.values) as (keyof Registrations)[]) this.replay(name);
  }

  private replay<K extends keyof Registrations>(name: K): void {
    const value = this.values[name];
    if (value !== undefined) this.followers[name]?.(value);
  }
}
