import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../instancePage/page.css';
import './agent.css';
import { AGENT_VIEW } from '../../../src/shared/protocol';
import { bootWebview } from '../boot';
import { AgentApp } from './agentApp';

bootWebview(AGENT_VIEW, {
  name: 'the agent view',
  // The view's reports of what it rendered say nothing about the error it may be showing.
  quiet: ['rendered'],
  mount: ({ root, call, client, instanceId }) => {
    const app = new AgentApp(root, call, instanceId);
    client.on('view', (v) => app.setView(v));
    client.on('event', (e) => app.onEvent(e));
    client.on('runs', (r) => app.setRuns(r));
    return {
      render: ({ view, runs }) => {
        app.setRuns(runs);
        if (view) app.setView(view);
      },
      showError: (m) => app.showError(m),
      clearError: () => app.clearError(),
    };
  },
});
