/**
 * Styles a shadow root. A constructed stylesheet needs no <style> element,
 * so a strict CSP needs no 'unsafe-inline'; browsers without constructable
 * stylesheets (Safari < 16.4, Firefox < 101) get a <style> element instead.
 * webchat.js adds the launcher's sheet, webchat-ui.js the panel's after it.
 */
export function addStyles(shadow: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  shadow.append(style);
}
