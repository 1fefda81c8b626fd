/**
 * The connection banner under the header ("Connection lost. Reconnecting…",
 * "You are offline…"): from the state, through the `banner` selector.
 */
import type { Translate } from '../lib/i18n';
import { banner, type State } from '../lib/state';
import { h } from './dom';

export interface BannerView {
  element: HTMLElement;
  render(state: State): void;
}

export function createBanner(t: Translate): BannerView {
  const element = h('p', { class: 'fw-banner', role: 'status', hidden: true });
  return {
    element,
    render(state) {
      const which = banner(state);
      element.hidden = which === undefined;
      element.textContent = which ? t(`banner.${which}`) : '';
      element.dataset.kind = which ?? '';
    },
  };
}
