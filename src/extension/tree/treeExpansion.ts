import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';

const KEY = 'sweGym.tree.expanded';
/** Enough for every repository a person opens; the oldest are forgotten first. */
const MAX_REMEMBERED = 300;

/**
 * Which rows of the instance tree a person left open (repositories, pages, instances with runs),
 * by tree item id, kept in global state: VS Code in a browser does not bring a custom tree's
 * expansion back after a window reload, so the tree hands these rows out already expanded.
 */
export class TreeExpansion extends Disposable {
  private readonly open: string[];

  constructor(private readonly memento: vscode.Memento) {
    super();
    this.open = memento.get<string[]>(KEY, []).filter((id) => typeof id === 'string');
  }

  isOpen(id: string | undefined): boolean {
    return !!id && this.open.includes(id);
  }

  /** Follows a tree view's expand and collapse events (user clicks and `reveal` alike). */
  track<T>(view: vscode.TreeView<T>, idOf: (node: T) => string | undefined): void {
    this.register(view.onDidExpandElement((e) => this.set(idOf(e.element), true)));
    this.register(view.onDidCollapseElement((e) => this.set(idOf(e.element), false)));
  }

  private set(id: string | undefined, open: boolean): void {
    if (!id) return;
    const at = this.open.indexOf(id);
    if (at >= 0) this.open.splice(at, 1);
    if (open) this.open.push(id);
    if (this.open.length > MAX_REMEMBERED) this.open.splice(0, this.open.length - MAX_REMEMBERED);
    void this.memento.update(KEY, [...this.open]);
  }
}
