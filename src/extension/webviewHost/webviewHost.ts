import * as vscode from 'vscode';
import type { RequestMap } from '../../shared/protocol';
import { RpcHost, type Handlers } from '../../shared/rpcHost';
import type { InstanceRef } from '../datasets/datasetStore';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { webviewHtml, webviewOptions } from './webviewHtml';
import type { WebviewKind } from './webviewKind';

/**
 * One instance webview's extension side: panel title, icon and options, the HTML shell, and the
 * protocol endpoint wired to the panel. A view brings its handlers; it pushes with `rpc.emit`.
 */
export class WebviewHost<R extends RequestMap<R>, E> extends Disposable {
  readonly rpc: RpcHost<R, E>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    kind: WebviewKind<R, E>,
    ref: InstanceRef,
    handlers: Handlers<R>,
    extensionUri: vscode.Uri,
    log: Logger,
  ) {
    super();
    const id = ref.instance.instance_id;
    panel.title = kind.title(id);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', kind.icon);
    // Set here too, not only at creation: a panel the serializer restores comes with none.
    panel.webview.options = webviewOptions(extensionUri);
    this.rpc = new RpcHost(kind.protocol, (m) => panel.webview.postMessage(m), handlers, (reason) => log.warn(`${id}: ignored a malformed ${kind.noun} message (${reason})`));
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.rpc.handle(m)));
    this.register(panel.onDidDispose(() => this.rpc.reset()));
    panel.webview.html = webviewHtml(panel.webview, extensionUri, kind, id, ref.entry.source);
  }

  get isReady(): boolean {
    return this.rpc.ready;
  }
}
