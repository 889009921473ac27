import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import { parseFilePatches, stripGitPrefix } from '../../shared/patchStats';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { EvaluationService } from '../evaluation/evaluationService';
import type { SessionManager } from '../sessions/sessionManager';
import type { StateStore } from '../state/stateStore';
import { Disposable } from '../util/disposable';

export const DIFF_SCHEME = 'swe-gym';
type Side = 'base' | 'gold' | 'empty';

function sideUri(side: Side, instanceId: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${side}/${encodeURIComponent(instanceId)}/${file}` });
}

/**
 * Read-only documents for the left side of diffs: a file at the base commit (read from the dev
 * container's git), the gold version (base + gold patch, in memory), or nothing.
 */
class SideContentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly datasets: DatasetStore,
    private readonly sessions: SessionManager,
    private readonly state: StateStore,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, side, encodedId, ...rest] = uri.path.split('/');
    const file = rest.join('/');
    if (side === 'empty') return '';
    const ref = this.datasets.find(decodeURIComponent(encodedId ?? ''));
    if (!ref) return `(instance ${encodedId} is not in any open dataset)`;
    const base = (await this.sessions.fileAtBase(ref, file)) ?? '';
    if (side === 'base') return base;
    if (!this.state.get(ref.instance.instance_id).revealed?.gold) return '(the gold patch is hidden until you reveal it)';
    const filePatch = parsePatch(ref.instance.patch).find((p) => stripGitPrefix(p.newFileName) === file || stripGitPrefix(p.oldFileName) === file);
    if (!filePatch) return base;
    if (stripGitPrefix(filePatch.newFileName) === '/dev/null') return '';
    const patched = applyPatch(base, filePatch, { fuzzFactor: 2 });
    return patched === false ? `(the gold patch does not apply to ${file} at the base commit)\n` : patched;
  }
}

export class DiffViews extends Disposable {
  constructor(
    private readonly datasets: DatasetStore,
    private readonly sessions: SessionManager,
    private readonly evaluation: EvaluationService,
    private readonly state: StateStore,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, new SideContentProvider(datasets, sessions, state)));
  }

  /** Base commit <-> workspace for every file the candidate changes, in one multi-diff editor. */
  async showCandidateDiff(ref: InstanceRef, signal?: AbortSignal): Promise<number> {
    const id = ref.instance.instance_id;
    const dir = this.requireWorkspace(id);
    const candidate = await this.evaluation.refreshCandidate(ref, signal);
    const files = parseFilePatches(candidate.patch);
    if (files.length === 0) {
      void vscode.window.showInformationMessage(`${id}: the workspace has no changes against the base commit yet.`);
      return 0;
    }
    const resources = files.map((f) => {
      const work = vscode.Uri.file(path.join(dir, f.path));
      const left = f.created ? sideUri('empty', id, f.path) : sideUri('base', id, f.oldPath ?? f.path);
      const right = f.deleted ? sideUri('empty', id, f.path) : work;
      return [work, left, right] as const;
    });
    await this.open(`${id}: base ↔ your changes`, resources);
    return files.length;
  }

  /** Gold <-> workspace for every file either the gold patch or the candidate touches. */
  async showGoldDiff(ref: InstanceRef, signal?: AbortSignal): Promise<number> {
    const id = ref.instance.instance_id;
    if (!this.state.get(id).revealed?.gold) throw new Error(`Reveal the gold patch of ${id} first (on its page).`);
    const dir = this.requireWorkspace(id);
    const candidate = await this.evaluation.refreshCandidate(ref, signal);
    const paths = new Set([...parseFilePatches(ref.instance.patch), ...parseFilePatches(candidate.patch)].map((f) => f.path));
    const resources = [...paths].map((p) => {
      const work = vscode.Uri.file(path.join(dir, p));
      return [work, sideUri('gold', id, p), work] as const;
    });
    await this.open(`${id}: gold ↔ your changes`, resources);
    return resources.length;
  }

  private requireWorkspace(id: string): string {
    const dir = this.sessions.workspaceDir(id);
    if (!dir) throw new Error(`${id} is not launched: launch it to see diffs of your workspace.`);
    const problem = this.sessions.checkHealth(id);
    if (problem) throw new Error(problem);
    return dir;
  }

  private async open(title: string, resources: (readonly [vscode.Uri, vscode.Uri, vscode.Uri])[]): Promise<void> {
    const [first] = resources;
    if (resources.length === 1 && first) {
      await vscode.commands.executeCommand('vscode.diff', first[1], first[2], `${title} (${path.basename(first[0].fsPath)})`);
      return;
    }
    await vscode.commands.executeCommand('vscode.changes', title, resources);
  }
}
