/** Controls both webviews draw the same way. */
import { h, icon } from './dom';

export function button(id: string, label: string, codicon: string, onClick: () => void, options: { secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = h('vscode-button', { id, icon: codicon, secondary: options.secondary, disabled: options.disabled, title: options.title ?? label, onclick: () => !b.hasAttribute('disabled') && onClick() });
  b.textContent = label;
  return b;
}

/** Where a failed request says why, until dismissed or a later request succeeds. */
export class ErrorBanner {
  readonly el = h('div', { class: 'error-banner', role: 'alert', hidden: true });

  show(message: string): void {
    this.el.hidden = false;
    this.el.replaceChildren(icon('error'), h('span', {}, message), button('btn-dismiss', 'Dismiss', 'close', () => this.clear(), { secondary: true }));
  }

  clear(): void {
    this.el.hidden = true;
    this.el.replaceChildren();
  }
}
