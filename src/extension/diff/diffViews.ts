import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import { describeWorkspaceEntry, resolveWorkspacePath } from '../../core/hostfs/workspacePath';
import { parseFilePatches, stripGitPrefix } from '../../shared/patchStats';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { EvaluationService } from '../evaluation/evaluationService';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { StateStore } from '../state/stateStore';
import { Disposable } from '../util/disposable';
import { errorMessage } from '../util/logger';
import { WorkspaceFiles, workspaceFileUri } from './workspaceFiles';

export const DIFF_SCHEME = 'swe-gym';
type Side = 'base' | 'gold' | 'same';
type Resource = readonly [vscode.Uri, vscode.Uri | undefined, vscode.Uri | undefined];
type DiffKind = 'base' | 'gold';

/**
 * The left side of a diff. Its path is the workspace file's own path (the side and the instance
 * ride in the query), so VS Code sees one file on both sides and does not mark it as renamed.
 */
function sideUri(side: Side, instanceId: string, abs: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DIFF_SCHEME, path: abs, query: new URLSearchParams({ side, id: instanceId }).toString() });
}

/** What an open diff editor lists; the same list means nothing to refresh. */
interface DiffPlan {
  title: string;
  resources: Resource[];
  /** Paths from the container's diff that were not opened, with why. */
  refused: string[];
  /** One line per listed file and its state: a change here means the editor is stale. */
  signature: string;
}

/**
 * Read-only documents for the left side of diffs: a file at the base commit (read from the dev
 * container's git), the gold version (base + gold patch, in memory), or, for a file already equal
 * to the gold version, a single line saying so.
 */
class SideContentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly datasets: DatasetStore,
    private readonly devContainers: DevContainerManager,
    private readonly state: StateStore,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const side = query.get('side') as Side | null;
    const id = query.get('id') ?? '';
    const ref = this.datasets.find(id);
    if (!ref) return `(instance ${id} is not in any open dataset)`;
    const dir = this.devContainers.workspaceDir(id);
    if (!dir) return `(${id} is not running: launch it to compare)`;
    const file = path.relative(dir, uri.path).split(path.sep).join('/');
    if (side === 'same') return sameAsGoldText(file);
    if (side === 'base') return (await this.devContainers.fileAtBase(ref, file)) ?? '';
    if (!this.state.get(id).revealed?.gold) return '(the gold patch is hidden until you reveal it)';
    return goldVersion(ref, file, (await this.devContainers.fileAtBase(ref, file)) ?? '');
  }
}

function sameAsGoldText(file: string): string {
  return `${file}: same as gold\n`;
}

/** A file as the gold patch leaves it; undefined when the gold patch deletes it. */
function goldVersion(ref: InstanceRef, file: string, base: string): string {
  const filePatch = parsePatch(ref.instance.patch).find((p) => stripGitPrefix(p.newFileName) === file || stripGitPrefix(p.oldFileName) === file);
  if (!filePatch) return base;
  if (stripGitPrefix(filePatch.newFileName) === '/dev/null') return '';
  const patched = applyPatch(base, filePatch, { fuzzFactor: 2 });
  return patched === false ? `(the gold patch does not apply to ${file} at the base commit)\n` : patched;
}

/** A multi-diff editor's tab shows its title with the file count: `title (4 files)`. */
function isTitled(tab: vscode.Tab, title: string): boolean {
  return tab.label === title || tab.label.startsWith(`${title} (`);
}

export class DiffViews extends Disposable {
  private readonly files: WorkspaceFiles;
  /** Paths the last diff shown left out because they lead out of the workspace. */
  lastRefused: string[] = [];
  /** What each open diff editor was given (VS Code's tab input lists only the pairs it has loaded). */
  private readonly shownPairs = new Map<string, Resource[]>();
  /** Open diff editors by title, refreshed when their workspace changes (forgotten once closed). */
  private readonly open = new Map<string, { ref: InstanceRef; kind: DiffKind; signature: string; watcher: vscode.Disposable; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly datasets: DatasetStore,
    private readonly devContainers: DevContainerManager,
    private readonly evaluation: EvaluationService,
    private readonly state: StateStore,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, new SideContentProvider(datasets, devContainers, state)));
    this.files = this.register(new WorkspaceFiles(() => devContainers.runningIds().flatMap((id) => devContainers.workspaceDir(id) ?? [])));
    this.register({ dispose: () => [...this.open.keys()].forEach((t) => this.stopWatching(t)) });
  }

  /** Base commit <-> workspace for every file the candidate changes, in one multi-diff editor. */
  async showCandidateDiff(ref: InstanceRef, signal?: AbortSignal): Promise<number> {
    const plan = await this.plan(ref, 'base', signal);
    if (plan.resources.length === 0) {
      this.reportRefused(ref, plan);
      void vscode.window.showInformationMessage(`${ref.instance.instance_id}: the workspace has no changes against the base commit yet.`);
      return 0;
    }
    await this.show(ref, 'base', plan);
    return plan.resources.length;
  }

  /** Gold <-> workspace for every file either the gold patch or the candidate touches. */
  async showGoldDiff(ref: InstanceRef, signal?: AbortSignal): Promise<number> {
    const id = ref.instance.instance_id;
    if (!this.state.get(id).revealed?.gold) throw new Error(`Reveal the gold patch of ${id} first (on its page).`);
    const plan = await this.plan(ref, 'gold', signal);
    await this.show(ref, 'gold', plan);
    return plan.resources.length;
  }

  /** The titles of the diff editors this window keeps up to date. */
  openDiffTitles(): string[] {
    return [...this.open.keys()];
  }

  /** The file pairs of an open diff editor, original and modified side. */
  shown(title: string): { original?: vscode.Uri; modified?: vscode.Uri }[] | undefined {
    if (!this.isTabOpen(title)) return undefined;
    return this.shownPairs.get(title)?.map(([, original, modified]) => ({ original, modified }));
  }

  private reportRefused(ref: InstanceRef, plan: DiffPlan): void {
    this.lastRefused = plan.refused;
    if (plan.refused.length) {
      void vscode.window.showWarningMessage(`${ref.instance.instance_id}: ${plan.refused.length} path(s) in the workspace's diff were not opened. ${plan.refused.join(' ')}`);
    }
  }

  private async plan(ref: InstanceRef, kind: DiffKind, signal?: AbortSignal): Promise<DiffPlan> {
    const id = ref.instance.instance_id;
    const dir = this.requireWorkspace(id);
    const candidate = await this.evaluation.refreshCandidate(ref, signal);
    const refused: string[] = [];
    const inside = (p: string): string | undefined => {
      try {
        const abs = resolveWorkspacePath(dir, p);
        describeWorkspaceEntry(dir, abs); // refuses a path under a link that leads out
        return abs;
      } catch (err) {
        refused.push(errorMessage(err));
        return undefined;
      }
    };
    if (kind === 'base') {
      const resources: Resource[] = [];
      for (const f of parseFilePatches(candidate.patch)) {
        const abs = inside(f.path);
        const oldAbs = f.oldPath && f.oldPath !== f.path ? inside(f.oldPath) : abs;
        if (!abs || !oldAbs) continue;
        resources.push([workspaceFileUri(abs), f.created ? undefined : sideUri('base', id, oldAbs), f.deleted ? undefined : workspaceFileUri(abs)]);
      }
      return { title: `${id}: base ↔ your changes`, resources, refused, signature: resources.map((r) => `${r[0].path} ${r[1] ? 1 : 0}${r[2] ? 1 : 0}`).join('\n') };
    }
    // Files that differ from the gold version first; the ones that already match it fold to one line.
    const paths = [...new Set([...parseFilePatches(ref.instance.patch), ...parseFilePatches(candidate.patch)].map((f) => f.path))].sort();
    const differing: Resource[] = [];
    const same: Resource[] = [];
    for (const p of paths) {
      const abs = inside(p);
      if (!abs) continue;
      const work = workspaceFileUri(abs);
      if (await this.matchesGold(ref, p, work)) same.push([work, sideUri('same', id, abs), sideUri('same', id, abs)]);
      else differing.push([work, sideUri('gold', id, abs), work]);
    }
    const resources = [...differing, ...same];
    return {
      title: `${id}: gold ↔ your changes`,
      resources,
      refused,
      signature: [...differing.map((r) => `${r[0].path} differs`), ...same.map((r) => `${r[0].path} same`)].join('\n'),
    };
  }

  private async matchesGold(ref: InstanceRef, file: string, work: vscode.Uri): Promise<boolean> {
    let mine: string | undefined;
    try {
      mine = Buffer.from(await this.files.readFile(work)).toString('utf8');
    } catch {
      mine = undefined;
    }
    const base = await this.devContainers.fileAtBase(ref, file);
    const gold = goldVersion(ref, file, base ?? '');
    const goldDeletes = parseFilePatches(ref.instance.patch).some((f) => f.path === file && f.deleted);
    const goldAbsent = goldDeletes || (base === undefined && !parseFilePatches(ref.instance.patch).some((f) => f.path === file));
    return mine === undefined ? goldAbsent : !goldAbsent && mine === gold;
  }

  private async show(ref: InstanceRef, kind: DiffKind, plan: DiffPlan): Promise<void> {
    this.reportRefused(ref, plan);
    await this.closeTab(plan.title); // one editor per title, so a refresh replaces the one shown
    await this.openChanges(plan);
    this.watch(ref, kind, plan);
  }

  /** Keeps an open diff's list in step with the workspace (a reverted file leaves it). */
  private watch(ref: InstanceRef, kind: DiffKind, plan: DiffPlan): void {
    const existing = this.open.get(plan.title);
    if (existing) {
      existing.signature = plan.signature;
      return;
    }
    const dir = this.devContainers.workspaceDir(ref.instance.instance_id);
    if (!dir) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*'));
    const entry = { ref, kind, signature: plan.signature, watcher, timer: undefined as NodeJS.Timeout | undefined };
    const later = () => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => void this.refresh(plan.title), 400);
    };
    watcher.onDidChange(later);
    watcher.onDidCreate(later);
    watcher.onDidDelete(later);
    this.open.set(plan.title, entry);
  }

  private async refresh(title: string): Promise<void> {
    const entry = this.open.get(title);
    if (!entry) return;
    if (!this.isTabOpen(title) || !this.devContainers.isRunning(entry.ref.instance.instance_id)) return this.stopWatching(title);
    let plan: DiffPlan;
    try {
      plan = await this.plan(entry.ref, entry.kind);
    } catch {
      return; // The instance is stopping or broken: its page says so; the diff stays as it was.
    }
    if (plan.signature === entry.signature) return;
    entry.signature = plan.signature;
    if (plan.resources.length === 0) {
      await this.closeTab(title);
      this.stopWatching(title);
      void vscode.window.showInformationMessage(`${entry.ref.instance.instance_id}: no changes against the base commit are left; the diff was closed.`);
      return;
    }
    // VS Code cannot change the list of an open multi-diff editor: it is replaced in place.
    await this.closeTab(title);
    await this.openChanges(plan);
  }

  private async openChanges(plan: DiffPlan): Promise<void> {
    this.shownPairs.set(plan.title, plan.resources);
    await vscode.commands.executeCommand('vscode.changes', plan.title, plan.resources);
  }

  private isTabOpen(title: string): boolean {
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => isTitled(t, title)));
  }

  private async closeTab(title: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => isTitled(t, title)));
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  }

  private stopWatching(title: string): void {
    const entry = this.open.get(title);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.watcher.dispose();
    this.open.delete(title);
    this.shownPairs.delete(title);
  }

  private requireWorkspace(id: string): string {
    const dir = this.devContainers.workspaceDir(id);
    if (!dir) throw new Error(`${id} is not launched: launch it to see diffs of your workspace.`);
    const problem = this.devContainers.checkHealth(id);
    if (problem) throw new Error(problem);
    return dir;
  }
}
