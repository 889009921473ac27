import * as vscode from 'vscode';
import type { RequestMap } from '../../shared/protocol';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { Disposable } from '../util/disposable';
import { webviewOptions } from './webviewHtml';
import type { WebviewKind } from './webviewKind';

/** How long a view open at a reload may take to come back through the serializer. */
const RESTORE_GRACE_MS = 15_000;

/** What `InstanceViews` keeps per instance: a view owning its panel. */
export interface InstanceView extends vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly ref: InstanceRef;
  readonly isReady: boolean;
}

/**
 * The open views of one kind, one per instance: `show` opens or reveals, and VS Code's serializer
 * brings them back after a reload (the instance and dataset are in the webview's saved state).
 * A subclass says how a view is made (`create`) and may finish a restored one (`restored`).
 */
export abstract class InstanceViews<V extends InstanceView, R extends RequestMap<R>, E> extends Disposable {
  private readonly views = new Map<string, V>();
  /** Instances whose view VS Code is restoring right now (the serializer waits for the datasets). */
  private readonly restoring = new Set<string>();
  private readonly adopted = this.register(new vscode.EventEmitter<string>());
  /** Where the open views' instances are kept (see keepOpenIn); none: not kept. */
  private memory: vscode.Memento | undefined;
  private disposing = false;

  constructor(
    protected readonly kind: WebviewKind<R, E>,
    protected readonly extensionUri: vscode.Uri,
    private readonly datasets: DatasetStore,
    datasetsReady: Promise<void>,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(kind.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const s = (state ?? {}) as { instanceId?: unknown; datasetSource?: unknown };
          const id = typeof s.instanceId === 'string' ? s.instanceId : undefined;
          if (id) this.restoring.add(id);
          try {
            await datasetsReady;
          } finally {
            if (id) this.restoring.delete(id);
          }
          const ref = id ? datasets.find(id, typeof s.datasetSource === 'string' ? s.datasetSource : undefined) : undefined;
          if (!ref) {
            panel.dispose();
            return;
          }
          await this.restored(this.adopt(panel, ref), s as Record<string, unknown>);
        },
      }),
    );
  }

  protected abstract create(panel: vscode.WebviewPanel, ref: InstanceRef): V;

  /**
   * A view the serializer just brought back, with what its webview saved (`save` in boot.ts).
   * Called before the restored webview asks for its state, so a view may pick what it shows.
   */
  protected async restored(_view: V, _saved: Record<string, unknown>): Promise<void> {}

  /** Opens the instance's view, or reveals the one already open (`preserveFocus`: without taking the keyboard). */
  show(ref: InstanceRef, preserveFocus = false): V {
    const existing = this.views.get(ref.instance.instance_id);
    const beside = !!this.kind.beside;
    if (existing) {
      existing.panel.reveal(undefined, beside || preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      this.kind.viewType,
      this.kind.title(ref.instance.instance_id),
      { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: beside || preserveFocus },
      { ...webviewOptions(this.extensionUri), retainContextWhenHidden: !!this.kind.retainContextWhenHidden },
    );
    return this.adopt(panel, ref);
  }

  get(instanceId: string): V | undefined {
    return this.views.get(instanceId);
  }

  isOpen(instanceId: string): boolean {
    return this.views.has(instanceId);
  }

  isReady(instanceId: string): boolean {
    return this.views.get(instanceId)?.isReady ?? false;
  }

  isRestoring(instanceId: string): boolean {
    return this.restoring.has(instanceId);
  }

  /**
   * After a reload: opens the view unless VS Code restores one. A view that was open comes back
   * through the serializer, which VS Code may call after this activation's own restore: opening
   * one first would race it (the restored view replaces ours). So that view is waited for, and one
   * is opened only if it never comes. When the window kept no tab of it (a single-folder window
   * that became a workspace starts with no editors of the folder's), nothing will come: it opens at
   * once, not 15 s later over whatever the person opened meanwhile.
   */
  async showAfterReload(ref: InstanceRef, viewWasOpen: boolean): Promise<void> {
    const id = ref.instance.instance_id;
    if (viewWasOpen && !this.views.has(id) && this.tabKept(id)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, RESTORE_GRACE_MS);
        const sub = this.adopted.event((adoptedId) => adoptedId === id && done());
        function done(): void {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    }
    if (!this.views.has(id) && !this.restoring.has(id)) this.show(ref);
  }

  /**
   * Keeps which instances' views are open in `memento` (the window's workspace state): a view the
   * person closes leaves it; one still open when the extension host dies (kill -9, a crash) stays,
   * for reopenDropped.
   */
  keepOpenIn(memento: vscode.Memento): void {
    this.memory = memento;
    void this.remember([...this.views.keys()], []);
  }

  /**
   * After the extension host died with views open: VS Code may not keep their tabs (it dropped the
   * instance page after a kill -9 now and then). Those it did not keep are opened again; a kept
   * tab comes back through the serializer. Returns the instances opened.
   */
  reopenDropped(): string[] {
    const opened: string[] = [];
    for (const id of this.memory?.get<string[]>(this.memoryKey()) ?? []) {
      if (this.views.has(id) || this.restoring.has(id) || this.tabKept(id)) continue;
      const ref = this.datasets.find(id);
      if (!ref) continue;
      // Not over what the person is typing in: the window is already in use when this runs.
      this.show(ref, true);
      opened.push(id);
    }
    return opened;
  }

  private memoryKey(): string {
    return `openViews:${this.kind.viewType}`;
  }

  private async remember(add: string[], remove: string[]): Promise<void> {
    if (!this.memory) return;
    const before = this.memory.get<string[]>(this.memoryKey()) ?? [];
    const after = [...new Set([...before.filter((id) => !remove.includes(id)), ...add])];
    if (after.length !== before.length || after.some((id, i) => id !== before[i])) await this.memory.update(this.memoryKey(), after);
  }

  /** Whether the window kept a tab of this kind for the instance (the serializer brings its view back). */
  tabKept(instanceId: string): boolean {
    const title = this.kind.title(instanceId);
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(this.kind.viewType) && t.label === title));
  }

  private adopt(panel: vscode.WebviewPanel, ref: InstanceRef): V {
    const id = ref.instance.instance_id;
    this.views.get(id)?.panel.dispose();
    const view = this.create(panel, ref);
    this.views.set(id, view);
    this.adopted.fire(id);
    void this.remember([id], []);
    panel.onDidDispose(() => {
      if (this.views.get(id) === view) {
        this.views.delete(id);
        // Closed by the person (not by this host going away): not to be reopened.
        if (!this.disposing) void this.remember([], [id]);
      }
      view.dispose();
    });
    return view;
  }

  override dispose(): void {
    this.disposing = true;
    for (const v of [...this.views.values()]) v.panel.dispose();
    super.dispose();
  }
}
