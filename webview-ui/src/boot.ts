/**
 * How every instance webview starts: tells the retrying loader it runs (webviewLoader.ts), saves
 * the instance for VS Code's serializer, wires the RPC client to the host, says `ready`, loads the
 * state. A view brings only its rendering (`mount`).
 */
import type { RequestMap, WebviewProtocol } from '../../src/shared/protocol';
import { RequestFailedError, RpcClient } from '../../src/shared/rpcClient';
import { h } from './dom';
import { vscode } from './vscodeApi';

/** A request to the host: its typed result, or undefined when it failed (shown) or was cancelled. */
export type Call<R extends RequestMap<R>> = <M extends keyof R & string>(method: M, params: R[M]['params']) => Promise<R[M]['result'] | undefined>;

type StatefulRequests<R> = RequestMap<R> & { getState: { params: Record<string, never>; result: unknown } };

export interface ViewContext<R extends RequestMap<R>, E> {
  root: HTMLElement;
  instanceId: string;
  client: RpcClient<R, E>;
  call: Call<R>;
  /** Cancels the cancellable request in flight, if any. */
  cancel(): void;
  /** What the view saved last time (see `save`), restored with the panel. */
  saved: Record<string, unknown>;
  /** Saves view state (open sections...) beside the instance, for the next restore. */
  save(viewState: Record<string, unknown>): void;
}

export interface MountedView<R extends StatefulRequests<R>> {
  render(state: R['getState']['result']): void;
  showError(message: string): void;
  clearError(): void;
}

export interface BootOptions<R extends StatefulRequests<R>, E> {
  /** How the load error names the view ("the page"). */
  name: string;
  /** Requests the view's cancel button stops (one at a time). */
  cancellable?: readonly (keyof R & string)[];
  /** Requests whose success must not clear a shown error (the view's own reports). */
  quiet?: readonly (keyof R & string)[];
  mount(context: ViewContext<R, E>): MountedView<R>;
}

export function bootWebview<R extends StatefulRequests<R>, E>(protocol: WebviewProtocol<R, E>, options: BootOptions<R, E>): void {
  const root = document.getElementById('app');
  if (!root) return;
  document.documentElement.dataset.app = 'loaded';
  const instanceId = root.dataset.instanceId ?? '';
  const datasetSource = root.dataset.datasetSource ?? '';
  const previous = vscode.getState();
  const saved = typeof previous === 'object' && previous !== null ? { ...(previous as Record<string, unknown>) } : {};
  delete saved.instanceId;
  delete saved.datasetSource;
  const save = (viewState: Record<string, unknown>) => vscode.setState({ ...viewState, instanceId, datasetSource });
  // The serializer reads the instance from here after a reload.
  save(saved);

  const client = new RpcClient(protocol, (m) => vscode.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => client.handle(e.data));

  let running: AbortController | undefined;
  const call: Call<R> = async (method, params) => {
    const controller = new AbortController();
    if (options.cancellable?.includes(method)) running = controller;
    try {
      const result = await client.request(method, params, controller.signal);
      if (!options.quiet?.includes(method)) view.clearError();
      return result;
    } catch (err) {
      if (err instanceof RequestFailedError && err.error.code === 'cancelled') return undefined;
      view.showError(err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      if (running === controller) running = undefined;
    }
  };
  const view = options.mount({ root, instanceId, client, call, cancel: () => running?.abort(), saved, save });
  client.ready();
  client.request('getState', {} as R['getState']['params']).then(
    (state) => view.render(state),
    (err: unknown) => root.replaceChildren(h('p', { class: 'error' }, `Could not load ${options.name}: ${err instanceof Error ? err.message : String(err)}`)),
  );
}
