import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../instancePage/page.css';
import '../agentView/agent.css';
import './demo.css';
import { DEMO_VIEW } from '../../../src/shared/protocol';
import { bootWebview } from '../boot';
import { DemoApp } from './demoApp';

bootWebview(DEMO_VIEW, {
  name: 'the demonstration panel',
  mount: ({ root, call, client, instanceId }) => {
    const app = new DemoApp(root, call, instanceId);
    client.on('state', (s) => app.setState(s));
    return {
      render: (s) => app.setState(s),
      showError: (m) => app.showError(m),
      clearError: () => app.clearError(),
    };
  },
});
