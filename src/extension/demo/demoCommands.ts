import { commandRegistrar } from '../util/commandRegistrar';
import * as vscode from 'vscode';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { TreeNode } from '../tree/instanceTree';
import { plural } from '../../shared/plural';
import { errorMessage, type Logger } from '../util/logger';
import type { DemoController } from './demoController';
import { DEMO_VIEW_TYPE, demoPanelTitle, type DemoPanels } from './demoPanel';

export interface DemoCommandDeps {
  demos: DemoController;
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  log: Logger;
  notices: string[];
  /** The demonstration panel: opened at a start and from the status bar item. */
  panels?: DemoPanels;
}

/** sweGym.demo.*: start, pause, resume, note, finish, discard, and the status bar's menu. */
export function registerDemoCommands(d: DemoCommandDeps): vscode.Disposable[] {
  const command = commandRegistrar(d, 'Demonstration command');

  /** A tree node, an instance id, or the active dev container's instance. */
  const resolve = (arg?: unknown): InstanceRef => {
    if (arg && typeof arg === 'object' && (arg as TreeNode).kind === 'instance') {
      const n = arg as Extract<TreeNode, { kind: 'instance' }>;
      return { entry: n.entry, instance: n.instance };
    }
    const id = typeof arg === 'string' ? arg : d.devContainers.active;
    if (!id) throw new Error('Launch an instance first (or pick one in the SWE-Gym view), then start the demonstration on it.');
    const ref = d.datasets.find(id);
    if (!ref) throw new Error(`No instance "${id}" in the open datasets.`);
    return ref;
  };

  const finish = async () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Finishing the demonstration', cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const t = await d.demos.finish(abort.signal, (message) => progress.report({ message }));
        const verdict = t.reward ? (t.reward.resolved ? 'resolved' : `not resolved (${t.reward.status})`) : 'not graded';
        void vscode.window.showInformationMessage(`Demonstration of ${t.instance_id}: ${verdict}, ${plural(t.demonstration?.recorded_steps ?? t.steps, 'step')}, saved in ${d.demos.runDir()}.`);
        return t;
      } finally {
        sub.dispose();
      }
    });

  return [
    command('sweGym.demo.start', async (arg?: unknown) => {
      const ref = resolve(arg);
      const r = await d.demos.start(ref);
      if (d.panels) d.panels.show(ref);
      else void vscode.window.showInformationMessage(`Recording a demonstration of ${r.header.instanceId}: edits are recorded at each save, commands in its SWE-Gym terminal as you run them.`);
      return r.eventsPath;
    }),
    command('sweGym.demo.showPanel', (arg?: unknown) => {
      const c = d.demos.current;
      const ref = arg === undefined && c ? d.datasets.find(c.instanceId) : resolve(arg);
      if (!ref) throw new Error(`No instance "${c?.instanceId ?? ''}" in the open datasets.`);
      if (!d.panels) throw new Error('The demonstration panel is not available.');
      d.panels.show(ref);
    }),
    command('sweGym.demo.pause', () => d.demos.pause()),
    command('sweGym.demo.resume', async (arg?: unknown) => {
      const c = d.demos.current;
      if (c) return d.demos.resume();
      const ref = resolve(arg);
      const waiting = d.demos.interrupted().find((x) => x.instanceId === ref.instance.instance_id);
      if (!waiting) throw new Error(`No interrupted demonstration of ${ref.instance.instance_id} to resume.`);
      await d.demos.resumeInterrupted(ref, waiting.eventsPath);
      return undefined;
    }),
    command('sweGym.demo.addNote', async (text?: unknown) => {
      const value = typeof text === 'string' ? text : await vscode.window.showInputBox({ title: 'Note for the next step', prompt: 'Why you are about to do what you do next (it becomes the assistant text before that step in the trajectory).', ignoreFocusOut: true });
      if (value) d.demos.setNote(value);
    }),
    command('sweGym.demo.finish', finish),
    // The demonstration being recorded; with none, the interrupted one of an instance (`arg`).
    command('sweGym.demo.discard', async (confirmed?: unknown, arg?: unknown) => {
      const waiting = d.demos.current ? undefined : d.demos.interrupted().find((x) => x.instanceId === resolve(arg).instance.instance_id);
      if (!d.demos.current && !waiting) throw new Error('No demonstration is being recorded, nor an interrupted one of this instance.');
      if (confirmed !== true) {
        const what = waiting ? `the interrupted demonstration of ${waiting.instanceId}` : 'this demonstration';
        const pick = await vscode.window.showWarningMessage(`Discard ${what}?`, { modal: true, detail: 'Its recording is deleted; the workspace is left as it is.' }, 'Discard');
        if (pick !== 'Discard') return;
      }
      if (waiting) d.demos.discardInterrupted(waiting.instanceId);
      else await d.demos.discard();
    }),
    command('sweGym.demo.actions', async () => {
      const c = d.demos.current;
      if (!c) return;
      const paused = c.recorder.state === 'paused';
      const items: (vscode.QuickPickItem & { id: string })[] = [
        paused ? { id: 'sweGym.demo.resume', label: '$(debug-continue) Resume recording' } : { id: 'sweGym.demo.pause', label: '$(debug-pause) Pause recording', description: 'time stops counting' },
        { id: 'sweGym.demo.showPanel', label: '$(preview) Show the demonstration panel', description: 'steps so far, notes, controls' },
        { id: 'sweGym.demo.addNote', label: '$(note) Note for the next step…' },
        { id: 'sweGym.demo.finish', label: '$(pass) Finish', description: 'grade with the hidden tests and save the trajectory' },
        { id: 'sweGym.demo.discard', label: '$(trash) Discard…' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: `Demonstration of ${c.instanceId}` });
      if (pick) await vscode.commands.executeCommand(pick.id);
    }),
  ];
}

/**
 * After a reload or a crash: offers to take up demonstrations whose instance is running again, and
 * shows the demonstration's panel with its finished steps and Resume / Discard at once (the one
 * VS Code restores, or a new one beside when the window kept none).
 */
export async function offerResume(d: DemoCommandDeps): Promise<void> {
  // One is recorded again already (a campaign took up its current instance's).
  if (d.demos.current) return;
  for (const x of d.demos.interrupted()) {
    if (!d.devContainers.isRunning(x.instanceId)) continue;
    const ref = d.datasets.find(x.instanceId);
    if (ref && d.panels) void d.panels.showAfterReload(ref, demoTabKept(x.instanceId)).catch((err: unknown) => d.log.warn(`Showing the interrupted demonstration failed: ${errorMessage(err)}`));
    const pick = await vscode.window.showInformationMessage(`A demonstration of ${x.instanceId} was interrupted. Resume it?`, 'Resume');
    if (pick === 'Resume') await vscode.commands.executeCommand('sweGym.demo.resume', x.instanceId);
    return;
  }
}

/** Whether the window kept a demonstration tab of the instance (VS Code restores it through the serializer). */
function demoTabKept(instanceId: string): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(DEMO_VIEW_TYPE) && t.label === demoPanelTitle(instanceId)));
}
