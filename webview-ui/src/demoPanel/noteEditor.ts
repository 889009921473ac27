import { button } from '../controls';
import { h } from '../dom';

/**
 * A small note box: a textarea with Save (also Ctrl/Cmd+Enter) and, when asked, Cancel. It keeps
 * what the person types while the panel re-renders around it: the host's value replaces the text
 * only while the box is neither focused nor edited.
 */
export class NoteEditor {
  readonly el: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private saved = '';

  constructor(
    id: string,
    placeholder: string,
    private readonly onSave: (text: string) => void,
    options: { onCancel?: () => void; saveLabel?: string } = {},
  ) {
    this.textarea = h('textarea', { id, class: 'editor note-input', rows: 2, placeholder, 'aria-label': placeholder, spellcheck: 'true' });
    this.textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.save();
      } else if (e.key === 'Escape' && options.onCancel) {
        options.onCancel();
      }
    });
    this.textarea.addEventListener('input', () => this.el.classList.toggle('dirty', this.dirty));
    const actions = h(
      'div',
      { class: 'note-actions' },
      button(`${id}-save`, options.saveLabel ?? 'Save note', 'check', () => this.save(), { title: 'Save the note (Ctrl+Enter)' }),
      options.onCancel ? button(`${id}-cancel`, 'Cancel', 'close', () => options.onCancel?.(), { secondary: true }) : null,
      h('span', { class: 'muted small note-hint' }, 'Ctrl+Enter saves'),
    );
    this.el = h('div', { class: 'note-editor' }, this.textarea, actions);
  }

  get dirty(): boolean {
    return this.textarea.value !== this.saved;
  }

  /** The host's text; kept out while the person is typing. */
  setSaved(text: string): void {
    const wasDirty = this.dirty;
    this.saved = text;
    if (!wasDirty && document.activeElement !== this.textarea) this.textarea.value = text;
    this.el.classList.toggle('dirty', this.dirty);
  }

  focus(): void {
    this.textarea.focus();
  }

  private save(): void {
    this.saved = this.textarea.value.trim();
    this.textarea.value = this.saved;
    this.el.classList.remove('dirty');
    this.onSave(this.saved);
  }
}
