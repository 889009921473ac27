import * as path from 'node:path';
import * as vscode from 'vscode';
import { DISAGREEMENT_LABELS, gradeDisagreement } from '../../shared/trajectoryView';
import { plural } from '../../shared/plural';
import type { DatasetStore } from '../datasets/datasetStore';
import type { InstanceTreeProvider, TreeNode } from '../tree/instanceTree';
import type { TrajectoryPanels } from '../trajectoryView/trajectoryPanel';
import { abortSignalFrom, isAbortError } from '../util/cancellation';
import { errorMessage, type Logger } from '../util/logger';
import type { ImportedRunActions } from './importedRunActions';
import type { ImportedRunStore } from './importedRunStore';
import { describeFailure, importTrajectories, type ImportOutcome } from './importTrajectories';

export interface TrajectoryCommandDeps {
  datasets: DatasetStore;
  store: ImportedRunStore;
  actions: ImportedRunActions;
  panels: TrajectoryPanels;
  tree: InstanceTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  log: Logger;
  /** Error messages shown to the user (the API's notices). */
  notices: string[];
}

/** The rollout id from a command argument: the id itself, or the imported run's tree node. */
function rolloutIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as TreeNode | undefined;
  if (node?.kind === 'child' && node.id.startsWith('imported:')) return node.id.slice('imported:'.length);
  return undefined;
}

export function registerTrajectoryCommands(d: TrajectoryCommandDeps): vscode.Disposable[] {
  const fail = (message: string) => {
    d.notices.push(message);
    void vscode.window.showErrorMessage(message);
  };
  const open = async (arg: unknown) => {
    const id = rolloutIdOf(arg);
    const row = id ? d.store.row(id) : undefined;
    if (!row) return fail(`No imported run ${id ?? ''} to open.`);
    const ref = d.datasets.find(row.instanceId, row.datasetSource) ?? d.datasets.find(row.instanceId);
    if (!ref) return fail(`${row.instanceId} is in no open dataset; open ${row.datasetSource} first.`);
    const panel = d.panels.show(ref);
    await panel.select(row.rolloutId);
    return panel;
  };
  return [
    vscode.commands.registerCommand('sweGym.openTrajectories', async (target?: vscode.Uri | string): Promise<ImportOutcome | undefined> => {
      let where = typeof target === 'string' ? target : target?.fsPath;
      if (!where) {
        const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Open Trajectories', title: 'A trajectory file or a folder of runs (SWE-Gym rows, OpenHands, SWE-agent, mini-swe-agent, SFT text, ATIF)' });
        where = picked?.[0]?.fsPath;
        if (!where) return undefined;
      }
      const from = where;
      const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Opening trajectories', cancellable: true }, async (progress, token) => {
        const { signal, dispose } = abortSignalFrom(token);
        try {
          return await importTrajectories(from, d.datasets, d.store, { signal, onProgress: (message) => progress.report({ message }) });
        } finally {
          dispose();
        }
      });
      for (const n of outcome.notes) d.log.info(`${n.file}: ${n.message}`);
      for (const f of outcome.failures) d.log.warn(`Skipped ${describeFailure(f)}`);
      const summary = `${outcome.cancelled ? 'Cancelled after importing' : 'Imported'} ${plural(outcome.imported.length, 'run')} of ${plural(outcome.instances.length, 'instance')} from ${from}`;
      d.log.info(`${summary}; ${outcome.failures.length} skipped`);
      if (outcome.failures.length) {
        const first = outcome.failures[0];
        const message = `${summary}. ${plural(outcome.failures.length, 'file or entry', 'files or entries')} skipped${first ? `, e.g. ${describeFailure(first)}` : ''}.`;
        d.notices.push(message);
        void vscode.window.showWarningMessage(message, 'Show Log').then((a) => a && vscode.commands.executeCommand('sweGym.showLog'));
      } else {
        // A known file that is not a trajectory (a predictions file, the run's own exports) is said, not skipped as bad.
        const note = outcome.notes[0];
        const more = outcome.notes.length > 1 ? ` (and ${plural(outcome.notes.length - 1, 'other note')} in the log)` : '';
        void vscode.window.showInformationMessage(`${summary}.${note ? ` ${path.basename(note.file)}: ${note.message}${more}.` : ''}`);
      }
      const first = outcome.imported[0] ? d.store.row(outcome.imported[0]) : undefined;
      if (first) void revealInstance(d, first.instanceId);
      return outcome;
    }),
    vscode.commands.registerCommand('sweGym.trajectory.open', open),
    vscode.commands.registerCommand('sweGym.trajectory.grade', async (arg: unknown) => {
      const id = rolloutIdOf(arg);
      if (!id || !d.store.row(id)) return fail(`No imported run ${id ?? ''} to grade.`);
      await open(id);
      try {
        const grade = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Grading the imported run', cancellable: true }, async (_p, token) => {
          const { signal, dispose } = abortSignalFrom(token);
          try {
            return await d.actions.grade(id, signal);
          } finally {
            dispose();
          }
        });
        const row = d.store.row(id);
        const flag = row && gradeDisagreement(row);
        if (flag) void vscode.window.showWarningMessage(`${row.instanceId} (${row.scaffold}): ${DISAGREEMENT_LABELS[flag]}.`);
        return grade;
      } catch (err) {
        if (!isAbortError(err)) fail(`Grading failed: ${errorMessage(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sweGym.trajectory.replay', async (arg: unknown, options?: { reward?: boolean }) => {
      const id = rolloutIdOf(arg);
      if (!id || !d.store.row(id)) return fail(`No imported run ${id ?? ''} to replay.`);
      await open(id);
      try {
        return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Replaying the imported run', cancellable: true }, async (_p, token) => {
          const { signal, dispose } = abortSignalFrom(token);
          try {
            return await d.actions.replay(id, { reward: options?.reward ?? true }, signal);
          } finally {
            dispose();
          }
        });
      } catch (err) {
        if (!isAbortError(err)) fail(`Replay failed: ${errorMessage(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('sweGym.trajectory.remove', async (arg: unknown) => {
      const id = rolloutIdOf(arg);
      if (id) await d.store.remove(id);
    }),
  ];
}

/** Shows the first imported run's instance, opened, in the tree (a hidden tree is left alone). */
async function revealInstance(d: TrajectoryCommandDeps, instanceId: string): Promise<void> {
  const node = d.tree.nodeFor(instanceId);
  if (!node || !d.treeView.visible) return;
  try {
    await d.treeView.reveal(node, { expand: true, select: false, focus: false });
  } catch (err) {
    d.log.warn(`Could not reveal ${instanceId} in the tree: ${errorMessage(err)}`);
  }
}
