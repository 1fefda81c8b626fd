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
import type { PreviousChat, SignedInCustomer } from './customer-state';
import type { FieldView } from '../view/form-field';
import type { FieldConfig } from './pre-engagement';
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
  api: Api;
  /** webchat.js's own error class: the controller tells refusals by it. */
  ApiError: typeof ApiError;
  previousChat: (token: string) => Promise<PreviousChat | null>;
}

export type CustomerFactory = (deps: CustomerPartDeps) => CustomerPart;

let part: CustomerPart | undefined;
let loading: Promise<CustomerFactory> | undefined;
let registered: ((factory: CustomerFactory) => void) | undefined;

/** The customer's part, once loaded (one widget per page). */
export const customerPart = (): CustomerPart | undefined => part;

/** Called by webchat-customer.js when it has run. */
export function registerCustomer(factory: CustomerFactory): void {
  registered?.(factory);
}

function loadFactory(url: string): Promise<CustomerFactory> {
  loading ??= new Promise<CustomerFactory>((resolve, reject) => {
    registered = resolve;
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onerror = () => {
      loading = undefined; // the next call tries again
      reject(new ApiError(0, 'network', 'The chat service could not be reached.'));
    };
    document.head.append(script);
  });
  return loading;
}

/**
 * For a page with a signed-in customer (`customerToken` or
 * `getCustomerToken`): starts loading the customer's part now (a stored chat
 * resumes through it) and returns an Api whose calls wait for it; `ready`
 * hears it once. Undefined for other pages.
 */
export function customerApi(
  config: WidgetConfig,
  deps: Omit<CustomerPartDeps, 'config' | 'ApiError'>,
  ready: (part: CustomerPart) => void,
): Api | undefined {
  if (!config.customerToken && !config.getCustomerToken) return undefined;
  const url = new URL('webchat-customer.js', config.sdkUrl).href;
  let made: Promise<CustomerPart> | undefined;
  const load = async () => {
    made ??= loadFactory(url).then((factory) => {
      part = factory({ ...deps, config, ApiError });
      ready(part);
      return part;
    });
    made.catch(() => (made = undefined)); // the next call that needs it tries again
    return (await made).api;
  };
  void load().catch(() => undefined);
  return {
    startChat: async (body) => (await load()).startChat(body),
    refreshToken: async (token, customerToken) => (await load()).refreshToken(token, customerToken),
    endChat: (token, sid) => deps.api.endChat(token, sid),
  };
}
