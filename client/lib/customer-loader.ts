/**
 * The signed-in customer's part of the widget (customer tokens, the form
 * for a signed-in customer, the previous chat) is webchat-customer.js, not
 * webchat.js: a page without a signed-in customer never downloads it, and
 * the first load stays small. This is what webchat.js keeps: the loader
 * (a classic <script> from next to webchat.js, like the SDK's; it hands its
 * factory over with `FlexWebchat.registerCustomer`), the Api that waits for
 * it, and where the views find it once it is here (`customerPart()`).
 */
import { ApiError, type Api } from './api';
import type { WidgetConfig } from './config';
import type { CustomerChat } from './customer-session';
import type { SignedInCustomer } from './customer-state';
import type { FieldView } from '../view/form-field';
import type { FieldConfig } from './pre-engagement';
import { loadScript } from './script-loader';
import type { State } from './state';

/** What webchat-customer.js builds for the widget (client/lib/customer-part.ts). */
export interface CustomerPart {
  /** The Api with customer tokens (client/lib/customer.ts). */
  api: Api;
  attach(chat: CustomerChat): void;
  /** Logout: a token given as an option is not used again. */
  forget(): void;
  /** The form's signed-in view, inserted before `anchor` (view/signed-in-form.ts). */
  signedInForm(
    fields: readonly FieldConfig[],
    rows: ReadonlyMap<string, FieldView>,
    intro: HTMLElement | false,
    anchor: HTMLElement,
  ): { render(customer: SignedInCustomer | undefined): boolean };
  /** The previous chat above the messages, at the top of `scroller` (view/previous-chat.ts). */
  previousChat(scroller: HTMLElement): { render(state: State): void };
  /** What to tell the customer for a customer-token refusal; undefined for other codes. */
  errorText(code: string): string | undefined;
}

export interface CustomerPartDeps {
  config: WidgetConfig;
  /** The service's functions, as createApi makes them. */
  api: Api;
  /** webchat.js's own error class: the controller tells refusals by it. */
  ApiError: typeof ApiError;
}

export type CustomerFactory = (deps: CustomerPartDeps) => CustomerPart;

let part: CustomerPart | undefined;
let registered: CustomerFactory | undefined;

/** The customer's part, once loaded (one widget per page). */
export const customerPart = (): CustomerPart | undefined => part;

/** Called by webchat-customer.js as it runs (before its script's load event). */
export function registerCustomer(factory: CustomerFactory): void {
  registered = factory;
}

/**
 * For a page with a signed-in customer (`customerToken` or
 * `getCustomerToken`): starts loading the customer's part now (a stored chat
 * resumes through it) and returns an Api whose calls wait for it; `ready`
 * hears it once. Undefined for other pages. A failed load is an ApiError
 * `network` (the form says so; a stored chat is kept), tried again by the
 * next call.
 */
export function customerApi(
  config: WidgetConfig,
  api: Api,
  ready: (part: CustomerPart) => void,
): Api | undefined {
  if (!config.customerToken && !config.getCustomerToken) return undefined;
  let made: Promise<Api> | undefined;
  const load = () =>
    (made ??= loadScript(
      new URL('webchat-customer.js', config.sdkUrl).href,
      () => registered !== undefined,
    ).then(
      () => {
        part = (registered as CustomerFactory)({ config, api, ApiError });
        ready(part);
        return part.api;
      },
      () => {
        made = undefined;
        throw new ApiError(0, 'network', 'The chat service could not be reached.');
      },
    ));
  void load().catch(() => undefined);
  return {
    ...api,
    startChat: async (body) => (await load()).startChat(body),
    refreshToken: async (token, customerToken) => (await load()).refreshToken(token, customerToken),
  };
}
