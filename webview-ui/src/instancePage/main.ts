import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './page.css';
import type { InstancePageState } from '../../../src/shared/instancePage';
import { RequestFailedError, PageRpcClient } from '../../../src/shared/rpcClient';
import type { PageRequests, RequestMethod } from '../../../src/shared/protocol';
import { h } from '../dom';
import { InstancePage } from './page';
import { vscode } from '../vscodeApi';

const root = document.getElementById('app');
if (root) {
  // Tells the HTML's retrying loader that the app started (see webviewLoader.ts).
  document.documentElement.dataset.app = 'loaded';
  const instanceId = root.dataset.instanceId ?? '';
  const datasetSource = root.dataset.datasetSource ?? '';
  // Lets VS Code restore this page after a reload (the serializer reads it), with the sections as the person left them.
  const saved = (vscode.getState() ?? {}) as { open?: Record<string, boolean> };
  const open = saved.open && typeof saved.open === 'object' ? saved.open : {};
  vscode.setState({ instanceId, datasetSource, open });

  const client = new PageRpcClient((m) => vscode.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => client.handle(e.data));

  let running: { method: RequestMethod; controller: AbortController } | undefined;
  const page = new InstancePage(root, {
    call: async <M extends RequestMethod>(method: M, params: PageRequests[M]['params']) => {
      const controller = new AbortController();
      const long = method === 'launch' || method === 'runTests' || method === 'showDiff' || method === 'refreshCandidate';
      if (long) running = { method, controller };
      try {
        const result = await client.request(method, params, controller.signal);
        page.clearError();
        if (result && typeof result === 'object' && 'instance' in result) page.render(result as InstancePageState);
        return result;
      } catch (err) {
        if (err instanceof RequestFailedError && err.error.code === 'cancelled') return undefined;
        page.showError(err instanceof Error ? err.message : String(err));
        return undefined;
      } finally {
        if (running?.controller === controller) running = undefined;
      }
    },
    cancel: () => running?.controller.abort(),
  }, { open, save: (o) => vscode.setState({ instanceId, datasetSource, open: o }) });
  client.on('state', (s) => page.render(s));
  client.ready();
  void client.request('getState', {}).then(
    (s) => page.render(s),
    (err: unknown) => root.replaceChildren(h('p', { class: 'error' }, `Could not load the page: ${err instanceof Error ? err.message : String(err)}`)),
  );
}
