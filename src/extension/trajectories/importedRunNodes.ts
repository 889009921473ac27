import * as path from 'node:path';
import * as vscode from 'vscode';
import { DISAGREEMENT_LABELS, gradeDisagreement, type ImportedRunRow } from '../../shared/trajectoryView';
import { plural } from '../../shared/plural';
import { DEMO_SCAFFOLD } from '../demo/demoStepView';
import type { InstanceChildren } from '../tree/instanceTree';
import type { ImportedRunStore } from './importedRunStore';

/**
 * Imported runs under their instance in the tree: scaffold, model, exit status, steps, reward as
 * recorded, our grade. A person's demonstration opened in the step view is kept in the same store
 * but is not an imported run: it is listed by the demonstration panel, not here.
 */
export class ImportedRunNodes implements InstanceChildren {
  readonly onDidChange: vscode.Event<string>;

  constructor(private readonly store: ImportedRunStore) {
    this.onDidChange = store.onDidChange;
  }

  children(instanceId: string): { id: string; item: vscode.TreeItem }[] {
    return this.store
      .runsOf(instanceId)
      .filter((r) => r.scaffold !== DEMO_SCAFFOLD)
      .sort((a, b) => a.scaffold.localeCompare(b.scaffold) || a.sourceFile.localeCompare(b.sourceFile) || a.entry - b.entry)
      .map((r) => ({ id: `imported:${r.rolloutId}`, item: importedRunItem(r) }));
  }
}

/** The file with its folder (`swe-gym/rows.jsonl`): what tells two runs of one scaffold apart. */
export function shortFile(file: string): string {
  return `${path.basename(path.dirname(file))}/${path.basename(file)}`;
}

export function recordedLabel(r: ImportedRunRow): string {
  return r.recordedResolved === null ? '' : r.recordedResolved ? 'resolved (recorded)' : 'not resolved (recorded)';
}

export function importedRunItem(r: ImportedRunRow): vscode.TreeItem {
  const item = new vscode.TreeItem(r.scaffold, vscode.TreeItemCollapsibleState.None);
  item.id = `imported:${r.rolloutId}`;
  const flag = gradeDisagreement(r);
  const grade = r.grade ? (r.grade.status === 'error' ? 'grade: error' : r.grade.resolved ? 'graded resolved' : 'graded not resolved') : '';
  // What tells runs apart first (the sidebar is narrow): the flag, the results, then the rest.
  item.description = [flag === 'resolved-not-reproduced' ? '⚠ not reproduced' : flag ? '⚠ grade disagrees' : '', recordedLabel(r), grade, r.exitStatus ?? '', plural(r.steps, 'step'), r.model, shortFile(r.sourceFile)].filter(Boolean).join(' · ');
  item.iconPath = flag
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
    : r.grade && r.grade.status !== 'error'
      ? new vscode.ThemeIcon(r.grade.resolved ? 'pass' : 'error', new vscode.ThemeColor(r.grade.resolved ? 'testing.iconPassed' : 'testing.iconFailed'))
      : new vscode.ThemeIcon('history');
  item.contextValue = 'importedRun';
  const lines = [
    `**${r.scaffold}** run of ${r.instanceId} (imported)`,
    `Model: ${r.model} · exit status: ${r.exitStatus ?? 'not recorded'} · ${plural(r.steps, 'step')}`,
    `The file says: ${r.recordedResolved === null ? 'nothing about the hidden tests' : r.recordedResolved ? 'resolved' : 'not resolved'}`,
    r.grade ? `Our grade: ${r.grade.status}${r.grade.error ? ` (${r.grade.error})` : ''}` : 'Not graded here yet',
    flag ? `⚠ ${DISAGREEMENT_LABELS[flag]}` : '',
    r.replay ? `Last replay: ${r.replay.counts.same} same, ${r.replay.counts.noise} noise, ${r.replay.counts.different} different${r.replay.firstDivergence ? `; first divergence at step ${r.replay.firstDivergence}` : ''}` : '',
    `From ${path.basename(r.sourceFile)}${r.entry ? ` (entry ${r.entry + 1})` : ''} · ${r.format}`,
  ];
  item.tooltip = new vscode.MarkdownString(lines.filter(Boolean).join('\n\n'));
  item.accessibilityInformation = { label: `${r.scaffold} run, ${item.description}` };
  item.command = { command: 'sweGym.trajectory.open', title: 'Open', arguments: [r.rolloutId] };
  return item;
}
