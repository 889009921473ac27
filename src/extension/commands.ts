import { commandRegistrar } from './util/commandRegistrar';
import * as vscode from 'vscode';
import { plural } from '../shared/plural';
import { defaultHubCacheDir, listHubDatasets } from '../core/dataset/hfCache';
import type { InstanceStatus } from '../shared/instancePage';
import type { InstanceActions } from './actions';
import type { DatasetStore, InstanceRef } from './datasets/datasetStore';
import { describeDifficulty, difficultyOf } from './datasets/difficulty';
import { STATUS_LABELS, type InstanceStatusService } from './instanceStatus';
import type { DevContainerManager } from './devContainers/devContainerManager';
import type { InstanceTreeProvider, TreeNode } from './tree/instanceTree';
import { SORT_LABELS, isFiltering, matchesText, type SortOrder } from './tree/treeFilter';
import type { Logger } from './util/logger';
import type { InstancePanels } from './instancePage/instancePanel';

export interface CommandDeps {
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  actions: InstanceActions;
  panels: InstancePanels;
  tree: InstanceTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  status: InstanceStatusService;
  log: Logger;
  removeOrphans(): Promise<number>;
  /** Messages shown to the user, newest last (the extension's API exposes them to tests). */
  notices: string[];
}

/** Registers every sweGym.* command; each shows its own errors and returns its result. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { datasets, devContainers, actions, panels, tree, log } = deps;

  const command = commandRegistrar(deps, 'Command');

  const resolve = instanceResolver(deps, 'Pick an instance');
  const withRef = <R>(id: string, run: (ref: InstanceRef) => Promise<R> | R) =>
    command(id, async (arg?: unknown, source?: unknown) => {
      const ref = await resolve(arg, source);
      return ref ? run(ref) : undefined;
    });

  const setFiltering = () => void vscode.commands.executeCommand('setContext', 'sweGym.filtering', isFiltering(tree.filter) || tree.filter.sort !== 'dataset');

  return [
    command('sweGym.refresh', () => datasets.loadAll()),
    command('sweGym.showLog', () => log.show()),
    command('sweGym.showTestLog', async (arg?: unknown, source?: unknown) => {
      const id = typeof arg === 'string' ? arg : devContainers.active;
      await actions.showTestLog(id ? datasets.find(id, typeof source === 'string' ? source : undefined) : undefined);
    }),
    withRef('sweGym.showFullTestLog', (ref) => actions.showFullTestLog(ref)),
    command('sweGym.openDataset', async (arg?: unknown) => {
      const source = typeof arg === 'string' ? arg : await pickDatasetSource();
      if (!source) return undefined;
      const entry = await datasets.open(source);
      void vscode.window.showInformationMessage(`Opened ${entry.name}: ${plural(entry.byId.size, 'instance')}${entry.dataset?.issues.length ? `, ${plural(entry.dataset.issues.length, 'malformed row')} skipped (see the log)` : ''}.`);
      return { name: entry.name, instances: entry.byId.size };
    }),
    command('sweGym.removeDataset', async (node?: TreeNode) => {
      if (node?.kind === 'dataset') await datasets.remove(node.entry.source);
    }),
    withRef('sweGym.openInstance', (ref) => {
      panels.show(ref);
      if (devContainers.isRunning(ref.instance.instance_id)) devContainers.setActive(ref.instance.instance_id);
      return true;
    }),
    withRef('sweGym.launch', (ref) => actions.launch(ref)),
    withRef('sweGym.openTerminal', (ref) => {
      actions.openTerminal(ref);
      return true;
    }),
    withRef('sweGym.runTests', (ref) => actions.runTests(ref)),
    withRef('sweGym.showDiff', (ref) => actions.showDiff(ref, 'base')),
    withRef('sweGym.showGoldDiff', (ref) => actions.showDiff(ref, 'gold')),
    withRef('sweGym.stop', async (ref) => {
      await actions.stop(ref);
      return true;
    }),
    withRef('sweGym.revealGold', async (ref) => {
      await actions.reveal(ref, 'gold');
      return true;
    }),
    withRef('sweGym.revealTests', async (ref) => {
      await actions.reveal(ref, 'tests');
      return true;
    }),
    withRef('sweGym.openWorkspace', (ref) => devContainers.openWorkspace(ref.instance.instance_id, true)),
    command('sweGym.removeOrphans', () => deps.removeOrphans()),
    command('sweGym.statusBarActions', async () => {
      const id = devContainers.active;
      const ref = id ? datasets.find(id) : undefined;
      if (!ref) return undefined;
      const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
        { label: '$(beaker) Run hidden tests', run: () => actions.runTests(ref) },
        { label: '$(preview) Open instance page', run: () => panels.show(ref) },
        { label: '$(terminal) Open terminal in the container', run: () => actions.openTerminal(ref) },
        { label: '$(diff) Show diff against the base commit', run: () => actions.showDiff(ref, 'base') },
        { label: '$(debug-stop) Stop and remove the container', run: () => actions.stop(ref) },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: `${id} — ${STATUS_LABELS[deps.status.statusOf(ref.instance.instance_id)]}` });
      return pick ? await pick.run() : undefined;
    }),
    command('sweGym.search', async () => {
      const ref = await pickInstance(deps, 'Search instances by id or issue text');
      if (!ref) return undefined;
      panels.show(ref);
      const node = tree.nodeFor(ref.instance.instance_id);
      if (node && deps.treeView.visible) await deps.treeView.reveal(node, { select: true, focus: false });
      return ref.instance.instance_id;
    }),
    command('sweGym.filter', async (arg?: unknown) => {
      const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Filter instances', prompt: 'Text in the instance id or the issue (empty: no text filter)', value: tree.filter.text });
      if (text === undefined) return undefined;
      tree.setFilter({ ...tree.filter, text: text.trim() });
      setFiltering();
      return tree.describeFilter();
    }),
    command('sweGym.filterRepo', async () => {
      const repos = new Map<string, number>();
      for (const e of datasets.list()) for (const [repo, list] of e.repos) repos.set(repo, (repos.get(repo) ?? 0) + list.length);
      const picks = await vscode.window.showQuickPick(
        [...repos].sort(([a], [b]) => a.localeCompare(b)).map(([repo, n]) => ({ label: repo, description: `${n}`, picked: tree.filter.repos.has(repo) })),
        { canPickMany: true, title: 'Show these repositories (none picked: all)' },
      );
      if (!picks) return undefined;
      tree.setFilter({ ...tree.filter, repos: new Set(picks.map((p) => p.label)) });
      setFiltering();
      return tree.describeFilter();
    }),
    command('sweGym.filterStatus', async () => {
      const all = Object.keys(STATUS_LABELS) as InstanceStatus[];
      const picks = await vscode.window.showQuickPick(
        all.map((s) => ({ label: STATUS_LABELS[s], status: s, picked: tree.filter.statuses.has(s) })),
        { canPickMany: true, title: 'Show instances with these statuses (none picked: all)' },
      );
      if (!picks) return undefined;
      tree.setFilter({ ...tree.filter, statuses: new Set(picks.map((p) => p.status)) });
      setFiltering();
      return tree.describeFilter();
    }),
    command('sweGym.sort', async (arg?: unknown) => {
      const order =
        typeof arg === 'string' && arg in SORT_LABELS
          ? (arg as SortOrder)
          : (await vscode.window.showQuickPick(
              (Object.keys(SORT_LABELS) as SortOrder[]).map((s) => ({ label: SORT_LABELS[s], order: s, description: s === tree.filter.sort ? 'current' : undefined })),
              { title: 'Sort instances' },
            ))?.order;
      if (!order) return undefined;
      tree.setFilter({ ...tree.filter, sort: order });
      setFiltering();
      return tree.describeFilter();
    }),
    command('sweGym.clearFilter', () => {
      tree.setFilter({ text: '', repos: new Set(), statuses: new Set(), sort: 'dataset' });
      setFiltering();
    }),
  ];
}

async function pickDatasetSource(): Promise<string | undefined> {
  const hubDir = defaultHubCacheDir();
  let cached: string[] = [];
  try {
    cached = listHubDatasets(hubDir);
  } catch {
    // No cache: the option below still lets the user browse.
  }
  type Pick = vscode.QuickPickItem & { action: 'samples' | 'file' | 'folder' | 'hub' | 'type'; value?: string };
  const items: Pick[] = [
    { label: '$(package) Bundled sample tasks', action: 'samples' },
    { label: '$(file) Dataset file…', description: '.json, .jsonl, .parquet', action: 'file' },
    { label: '$(folder) Dataset folder…', description: 'data files, or a Hugging Face cache folder', action: 'folder' },
    ...cached.map((id): Pick => ({ label: `$(cloud) ${id}`, description: 'Hugging Face cache', action: 'hub', value: id })),
    { label: '$(edit) Type a path or org/name…', action: 'type' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Open a SWE-Gym / SWE-bench dataset' });
  switch (pick?.action) {
    case 'samples':
      return 'samples';
    case 'hub':
      return pick.value;
    case 'file': {
      const uris = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: false, filters: { Datasets: ['json', 'jsonl', 'ndjson', 'parquet'] } });
      return uris?.[0]?.fsPath;
    }
    case 'folder': {
      const uris = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true });
      return uris?.[0]?.fsPath;
    }
    case 'type':
      return (await vscode.window.showInputBox({ prompt: 'A dataset file or folder, a Hugging Face cache folder, org/name[:split], or samples' }))?.trim() || undefined;
    default:
      return undefined;
  }
}

/**
 * A quick pick over every open instance. Ids match at once; the issue text is searched in
 * slices so typing stays responsive with 66,894 instances (whose text may be read from disk).
 */
/**
 * What a command was invoked on: a tree node, an instance id (+ dataset source), or else the
 * instance of the active dev container, or one the person picks.
 */
export function instanceResolver(deps: Pick<CommandDeps, 'datasets' | 'devContainers' | 'status'>, pickTitle: string): (arg?: unknown, source?: unknown) => Promise<InstanceRef | undefined> {
  return async (arg, source) => {
    if (arg && typeof arg === 'object' && (arg as TreeNode).kind === 'instance') {
      const n = arg as Extract<TreeNode, { kind: 'instance' }>;
      return { entry: n.entry, instance: n.instance };
    }
    if (typeof arg === 'string') {
      const ref = deps.datasets.find(arg, typeof source === 'string' ? source : undefined);
      if (!ref) throw new Error(`No instance "${arg}" in the open datasets.`);
      return ref;
    }
    const active = deps.devContainers.active;
    if (active) return deps.datasets.find(active);
    return pickInstance(deps, pickTitle);
  };
}

export async function pickInstance(deps: Pick<CommandDeps, 'datasets' | 'devContainers' | 'status'>, title: string): Promise<InstanceRef | undefined> {
  const MAX = 200;
  type Item = vscode.QuickPickItem & { ref: InstanceRef };
  const all: InstanceRef[] = deps.datasets.list().flatMap((entry) => [...entry.byId.values()].map((instance) => ({ entry, instance })));
  const item = (ref: InstanceRef, why?: string): Item => ({
    label: ref.instance.instance_id,
    description: `${STATUS_LABELS[deps.status.statusOf(ref.instance.instance_id)]} · ${describeDifficulty(difficultyOf(ref.instance))}`,
    detail: why,
    alwaysShow: true,
    ref,
  });
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = title;
  qp.placeholder = 'Type part of an instance id or of its issue text';
  qp.matchOnDescription = false;
  const running = deps.devContainers.runningIds();
  qp.items = [...all.filter((r) => running.includes(r.instance.instance_id)), ...all.filter((r) => !running.includes(r.instance.instance_id))]
    .slice(0, MAX)
    .map((r) => item(r));
  let generation = 0;
  const search = async (value: string) => {
    const mine = ++generation;
    const needle = value.trim().toLowerCase();
    if (!needle) return;
    const byId = all.filter((r) => r.instance.instance_id.toLowerCase().includes(needle)).slice(0, MAX);
    qp.items = byId.map((r) => item(r));
    if (needle.length < 3 || byId.length >= MAX) return;
    qp.busy = true;
    const found = [...byId];
    const seen = new Set(byId);
    for (let i = 0; i < all.length && found.length < MAX; i += 1000) {
      await new Promise((r) => setImmediate(r));
      if (mine !== generation) return;
      for (const r of all.slice(i, i + 1000)) {
        if (!seen.has(r) && matchesText(r.instance, needle)) found.push(r);
        if (found.length >= MAX) break;
      }
    }
    if (mine !== generation) return;
    qp.items = found.map((r) => item(r, seen.has(r) ? undefined : 'matches the issue text'));
    qp.busy = false;
  };
  return new Promise((resolvePick) => {
    const subs = [
      qp.onDidChangeValue((v) => void search(v)),
      qp.onDidAccept(() => {
        resolvePick(qp.selectedItems[0]?.ref);
        qp.hide();
      }),
      qp.onDidHide(() => {
        resolvePick(undefined);
        subs.forEach((s) => s.dispose());
        qp.dispose();
      }),
    ];
    qp.show();
  });
}
