import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './page.css';
import { PAGE, type PageRequests } from '../../../src/shared/protocol';
import { bootWebview, type Call } from '../boot';
import { InstancePage } from './page';

bootWebview(PAGE, {
  name: 'the page',
  cancellable: ['launch', 'runTests', 'showDiff', 'refreshCandidate'],
  mount: ({ root, call, cancel, client, saved, save }) => {
    // Sections stay as the person left them, across hides and reloads.
    const open = typeof saved.open === 'object' && saved.open !== null ? (saved.open as Record<string, boolean>) : {};
    // Requests that change the instance answer with its new state: show it at once.
    const callAndRender: Call<PageRequests> = async (method, params) => {
      const result = await call(method, params);
      if (result) page.render(result);
      return result;
    };
    const page = new InstancePage(root, { call: callAndRender, cancel }, { open, save: (o) => save({ open: o }) });
    client.on('state', (s) => page.render(s));
    return page;
  },
});
