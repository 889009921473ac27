import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../instancePage/page.css';
import './agent.css';
import { AgentRpcClient, RequestFailedError } from '../../../src/shared/rpcClient';
import { h } from '../dom';
import { vscode } from '../vscodeApi';
import { AgentApp } from './agentApp';
import type { AgentCall } from './stepCard';

const root = document.getElementById('app');
if (root) {
  // Tells the HTML's retrying loader that the app started (see webviewLoader.ts).
  document.documentElement.dataset.app = 'loaded';
  const instanceId = root.dataset.instanceId ?? '';
  const datasetSource = root.dataset.datasetSource ?? '';
  // Lets VS Code restore this view after a reload (the serializer reads it).
  vscode.setState({ instanceId, datasetSource });

  const client = new AgentRpcClient((m) => vscode.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => client.handle(e.data));
  const call: AgentCall = async (method, params) => {
    try {
      const result = await client.request(method, params);
      if (method !== 'rendered') app.clearError();
      return result;
    } catch (err) {
      if (err instanceof RequestFailedError && err.error.code === 'cancelled') return undefined;
      app.showError(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  };
  const app = new AgentApp(root, call, instanceId);
  client.on('view', (v) => app.setView(v));
  client.on('event', (e) => app.onEvent(e));
  client.on('runs', (r) => app.setRuns(r));
  client.ready();
  void client.request('getState', {}).then(
    ({ view, runs }) => {
      app.setRuns(runs);
      if (view) app.setView(view);
    },
    (err: unknown) => root.replaceChildren(h('p', { class: 'error' }, `Could not load the agent view: ${err instanceof Error ? err.message : String(err)}`)),
  );
}
