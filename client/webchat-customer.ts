/**
 * webchat-customer.js: the signed-in customer's part of the widget
 * (lib/customer-part.ts), kept out of webchat.js and fetched only on pages
 * that give the widget a customer token or `getCustomerToken`
 * (lib/customer-loader.ts). It hands its factory over with
 * FlexWebchat.registerCustomer.
 */
import { createCustomerPart } from './lib/customer-part';

window.FlexWebchat?.registerCustomer(createCustomerPart);
