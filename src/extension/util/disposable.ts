import * as vscode from 'vscode';

/** Base class for anything that owns VS Code resources: `register` them, `dispose` frees all. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Takes ownership; a resource registered after disposal is freed at once. */
  protected register<T extends vscode.Disposable>(resource: T): T {
    if (this.disposedFlag) resource.dispose();
    else this.owned.push(resource);
    return resource;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    // Reverse order: later resources may depend on earlier ones.
    for (const resource of this.owned.splice(0).reverse()) {
      try {
        resource.dispose();
      } catch {
        // One failing disposal must not keep the others alive.
      }
    }
  }
}
