import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../instancePage/page.css';
import '../agentView/agent.css';
import './trajectory.css';
import { TRAJECTORY_VIEW } from '../../../src/shared/protocol';
import { bootWebview } from '../boot';
import { StepPlace } from './stepPlace';
import { TrajectoryApp } from './trajectoryApp';

bootWebview(TRAJECTORY_VIEW, {
  name: 'the trajectory view',
  mount: ({ root, call, client, instanceId, saved, save }) => {
    const place = new StepPlace(saved, save);
    const app = new TrajectoryApp(root, call, instanceId, (rolloutId) => place.shown(rolloutId));
    client.on('state', (s) => app.setState(s));
    client.on('busy', (b) => app.setBusy(b));
    return {
      render: (s) => app.setState(s),
      showError: (m) => app.showError(m),
      clearError: () => app.clearError(),
    };
  },
});
