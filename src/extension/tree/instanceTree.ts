import * as vscode from 'vscode';
import type { TaskInstance } from '../../core/dataset/taskInstance';
import type { InstanceStatus } from '../../shared/instancePage';
import type { DatasetEntry, DatasetStore } from '../datasets/datasetStore';
import { plural } from '../../shared/plural';
import { describeDifficulty, difficultyOf } from '../datasets/difficulty';
import { STATUS_LABELS, type InstanceStatusService } from '../instanceStatus';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import { applyFilter, describeFilter, isFiltering, NO_FILTER, type TreeFilter } from './treeFilter';
import type { TreeExpansion } from './treeExpansion';

/** Repositories with more instances than this are split into pages, so no node has 10k children. */
export const PAGE_SIZE = 500;

export interface DatasetNode {
  kind: 'dataset';
  entry: DatasetEntry;
}
export interface RepoNode {
  kind: 'repo';
  entry: DatasetEntry;
  repo: string;
}
export interface PageNode {
  kind: 'page';
  parent: RepoNode;
  start: number;
  end: number;
}
export interface InstanceNode {
  kind: 'instance';
  entry: DatasetEntry;
  instance: TaskInstance;
  parent: RepoNode | PageNode;
}
export interface MessageNode {
  kind: 'message';
  id: string;
  label: string;
  detail?: string;
  icon: string;
  parent?: DatasetNode;
  command?: vscode.Command;
}
/** A node another feature hangs under an instance (e.g. an imported run). */
export interface ChildNode {
  kind: 'child';
  /** Unique in the tree. */
  id: string;
  parent: InstanceNode;
  item: vscode.TreeItem;
}
export type TreeNode = DatasetNode | RepoNode | PageNode | InstanceNode | MessageNode | ChildNode;

/** Nodes under an instance's row from another feature; the row opens when it has any. */
export interface InstanceChildren {
  children(instanceId: string): { id: string; item: vscode.TreeItem }[];
  /** Fires with the instance id whose children changed. */
  readonly onDidChange: vscode.Event<string>;
}

/** Extra figures for an instance's row from another feature (e.g. agent rollouts and their success rate). */
export interface InstanceDecoration {
  /** Appended to the row's description. */
  description?: string;
  /** A paragraph appended to the tooltip (Markdown). */
  tooltip?: string;
}

export interface InstanceDecorator {
  decorate(instanceId: string): InstanceDecoration | undefined;
  /** Fires with the instance id whose decoration changed. */
  readonly onDidChange: vscode.Event<string>;
}

const STATUS_ICONS: Record<InstanceStatus, vscode.ThemeIcon> = {
  'not-started': new vscode.ThemeIcon('circle-large-outline'),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  resolved: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  error: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
};

/**
 * dataset -> repository -> instance. Children are built only when a node is expanded, nodes are
 * cached so a status change refreshes just that instance's row, and filtered lists are cached
 * per repository until the filter or the data changes.
 */
export class InstanceTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this.register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private filterState: TreeFilter = NO_FILTER;
  private readonly datasetNodes = new Map<string, DatasetNode>();
  private readonly repoNodes = new Map<string, RepoNode>();
  private readonly pageNodes = new Map<string, PageNode>();
  private readonly instanceNodes = new Map<string, Map<string, InstanceNode>>();
  private readonly filtered = new Map<string, TaskInstance[]>();
  private readonly filterChanged = this.register(new vscode.EventEmitter<TreeFilter>());
  readonly onDidChangeFilter = this.filterChanged.event;
  private readonly decorators = new Set<InstanceDecorator>();
  private readonly childProviders = new Set<InstanceChildren>();
  private annotationScore: ((id: string) => number | undefined) | undefined;
  private expansion: TreeExpansion | undefined;

  constructor(
    private readonly datasets: DatasetStore,
    private readonly status: InstanceStatusService,
    private readonly devContainers: DevContainerManager,
  ) {
    super();
    this.register(datasets.onDidChange(() => this.refreshAll()));
    this.register(status.onDidChange((id) => this.refreshInstance(id)));
  }

  get filter(): TreeFilter {
    return this.filterState;
  }

  setFilter(filter: TreeFilter): void {
    this.filterState = filter;
    this.filterChanged.fire(filter);
    this.refreshAll();
  }

  /** Rows a person left open come back open (after a window reload too). */
  setExpansion(expansion: TreeExpansion): void {
    this.expansion = expansion;
  }

  /** A row that can open: open if the person left it open. */
  private openable(id: string): vscode.TreeItemCollapsibleState {
    return this.expansion?.isOpen(id) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  }

  addDecorator(decorator: InstanceDecorator): vscode.Disposable {
    this.decorators.add(decorator);
    const sub = decorator.onDidChange((id) => this.refreshInstance(id));
    return new vscode.Disposable(() => {
      sub.dispose();
      this.decorators.delete(decorator);
    });
  }

  /** What the annotated-difficulty sort orders by; the tree re-sorts when `onDidChange` fires under them. */
  setAnnotationScore(score: (id: string) => number | undefined, onDidChange: vscode.Event<string>): vscode.Disposable {
    this.annotationScore = score;
    return onDidChange(() => {
      if (this.filterState.sort === 'annotatedEasiest' || this.filterState.sort === 'annotatedHardest') this.refreshAll();
    });
  }

  addChildren(provider: InstanceChildren): vscode.Disposable {
    this.childProviders.add(provider);
    const sub = provider.onDidChange((id) => this.refreshInstance(id));
    return new vscode.Disposable(() => {
      sub.dispose();
      this.childProviders.delete(provider);
    });
  }

  private childrenOf(node: InstanceNode): ChildNode[] {
    return [...this.childProviders].flatMap((p) => p.children(node.instance.instance_id)).map((c) => ({ kind: 'child', id: c.id, parent: node, item: c.item }));
  }

  /** The instance ids the tree shows now (its filter and sort applied), in its order: a campaign's queue. */
  shownInstances(): string[] {
    const ids: string[] = [];
    for (const e of this.datasets.list()) {
      for (const repo of [...e.repos.keys()].sort((a, b) => a.localeCompare(b))) {
        if (this.filterState.repos.size && !this.filterState.repos.has(repo)) continue;
        ids.push(...this.filteredList(e, repo).map((i) => i.instance_id));
      }
    }
    return ids;
  }

  describeFilter(): string | undefined {
    if (!isFiltering(this.filterState) && this.filterState.sort === 'dataset') return undefined;
    let shown = 0;
    for (const e of this.datasets.list()) for (const repo of e.repos.keys()) if (!this.filterState.repos.size || this.filterState.repos.has(repo)) shown += this.filteredList(e, repo).length;
    return `${describeFilter(this.filterState)} — ${shown.toLocaleString('en-US')} of ${plural(this.datasets.totalInstances(), 'instance')}`;
  }

  refreshAll(): void {
    this.repoNodes.clear();
    this.pageNodes.clear();
    this.instanceNodes.clear();
    this.filtered.clear();
    this.changed.fire(undefined);
  }

  private refreshInstance(instanceId: string): void {
    if (this.filterState.statuses.size > 0) {
      // The instance may enter or leave the filtered list: refresh its repositories.
      for (const node of this.instanceNodes.get(instanceId)?.values() ?? []) {
        const repo = node.parent.kind === 'repo' ? node.parent : node.parent.parent;
        this.filtered.delete(repoKey(repo.entry, repo.repo));
        this.changed.fire(repo);
      }
      return;
    }
    for (const node of this.instanceNodes.get(instanceId)?.values() ?? []) this.changed.fire(node);
  }

  /** The node of an instance, for TreeView.reveal (builds the path if the repo was never opened). */
  nodeFor(instanceId: string): InstanceNode | undefined {
    const ref = this.datasets.find(instanceId);
    if (!ref) return undefined;
    const existing = this.instanceNodes.get(instanceId)?.get(ref.entry.source);
    if (existing) return existing;
    const list = this.filteredList(ref.entry, ref.instance.repo);
    const index = list.indexOf(ref.instance);
    if (index < 0) return undefined;
    const repo = this.repoNode(ref.entry, ref.instance.repo);
    const parent = list.length > PAGE_SIZE ? this.pageNode(repo, Math.floor(index / PAGE_SIZE) * PAGE_SIZE, list.length) : repo;
    return this.instanceNode(ref.entry, ref.instance, parent);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'instance':
        return node.parent;
      case 'page':
        return node.parent;
      case 'repo':
        return this.datasetNode(node.entry);
      case 'message':
        return node.parent;
      case 'child':
        return node.parent;
      default:
        return undefined;
    }
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      return this.datasets.list().map((e) => this.datasetNode(e));
    }
    switch (node.kind) {
      case 'dataset':
        return this.datasetChildren(node);
      case 'repo': {
        const list = this.filteredList(node.entry, node.repo);
        if (list.length <= PAGE_SIZE) return list.map((i) => this.instanceNode(node.entry, i, node));
        const pages: PageNode[] = [];
        for (let start = 0; start < list.length; start += PAGE_SIZE) pages.push(this.pageNode(node, start, list.length));
        return pages;
      }
      case 'page':
        return this.filteredList(node.parent.entry, node.parent.repo)
          .slice(node.start, node.end)
          .map((i) => this.instanceNode(node.parent.entry, i, node));
      case 'instance':
        return this.childrenOf(node);
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'dataset': {
        const e = node.entry;
        const item = new vscode.TreeItem(e.name, e.state === 'loaded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `dataset:${e.source}`;
        item.contextValue = 'dataset';
        item.iconPath = new vscode.ThemeIcon(e.state === 'failed' ? 'error' : e.state === 'loading' ? 'loading~spin' : 'database');
        item.description = e.state === 'loaded' ? `${plural(e.byId.size, 'instance')} · ${plural(e.repos.size, 'repo')}` : e.state === 'loading' ? 'loading…' : 'could not load';
        item.tooltip = e.error ?? `${e.source} (${e.flavor})`;
        return item;
      }
      case 'repo': {
        const total = node.entry.repos.get(node.repo)?.length ?? 0;
        const shown = this.filteredList(node.entry, node.repo).length;
        const id = `repo:${node.entry.source}:${node.repo}`;
        const item = new vscode.TreeItem(node.repo, this.openable(id));
        item.id = id;
        item.contextValue = 'repo';
        item.iconPath = new vscode.ThemeIcon('repo');
        item.description = shown === total ? `${total}` : `${shown} of ${total}`;
        return item;
      }
      case 'page': {
        const id = `page:${node.parent.entry.source}:${node.parent.repo}:${node.start}`;
        const item = new vscode.TreeItem(`${node.start + 1}–${node.end}`, this.openable(id));
        item.id = id;
        item.iconPath = new vscode.ThemeIcon('list-flat');
        return item;
      }
      case 'instance': {
        const id = node.instance.instance_id;
        const status = this.status.statusOf(id);
        const d = difficultyOf(node.instance);
        const live = this.devContainers.isRunning(id);
        const children = this.childProviders.size ? this.childrenOf(node).length : 0;
        // A row that gains children gets a new id: VS Code keeps a leaf's collapsible state per id.
        const itemId = `instance:${node.entry.source}:${id}${children ? ':with-children' : ''}`;
        const item = new vscode.TreeItem(id, children ? this.openable(itemId) : vscode.TreeItemCollapsibleState.None);
        item.id = itemId;
        item.iconPath = STATUS_ICONS[status];
        const extra = [...this.decorators].map((x) => x.decorate(id)).filter((x): x is InstanceDecoration => !!x);
        item.description = [`${live ? '● ' : ''}${describeDifficulty(d)}`, ...extra.map((x) => x.description)].filter(Boolean).join(' · ');
        item.contextValue = `instance${live ? '.live' : ''}`;
        item.tooltip = new vscode.MarkdownString(
          `**${id}** — ${STATUS_LABELS[status]}${live ? ' (dev container running)' : ''}\n\n` +
            `Difficulty: ${plural(d.goldFiles, 'file')}, ${plural(d.goldLines, 'changed line')} in the gold patch · FAIL_TO_PASS ${d.failToPass} · PASS_TO_PASS ${d.passToPass}` +
            (d.label ? ` · rated “${d.label}”` : '') +
            extra.map((x) => (x.tooltip ? `\n\n${x.tooltip}` : '')).join(''),
        );
        item.accessibilityInformation = { label: `${id}, ${STATUS_LABELS[status]}, ${describeDifficulty(d)}` };
        item.command = { command: 'sweGym.openInstance', title: 'Open', arguments: [id, node.entry.source] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.detail ?? node.label;
        item.description = node.detail;
        item.contextValue = 'message';
        item.command = node.command;
        return item;
      }
      case 'child':
        return node.item;
    }
  }

  private datasetChildren(node: DatasetNode): TreeNode[] {
    const e = node.entry;
    if (e.state === 'loading') return [{ kind: 'message', id: `msg:${e.source}:loading`, label: 'Loading…', icon: 'loading~spin', parent: node }];
    if (e.state === 'failed') {
      return [{ kind: 'message', id: `msg:${e.source}:error`, label: e.error ?? 'Could not load', icon: 'error', parent: node, command: { command: 'sweGym.showLog', title: 'Show log' } }];
    }
    const out: TreeNode[] = [];
    const issues = e.dataset?.issues.length ?? 0;
    if (issues) {
      out.push({ kind: 'message', id: `msg:${e.source}:issues`, label: `${issues} malformed rows skipped`, detail: 'see the log', icon: 'warning', parent: node, command: { command: 'sweGym.showLog', title: 'Show log' } });
    }
    const filtering = isFiltering(this.filterState);
    for (const repo of [...e.repos.keys()].sort((a, b) => a.localeCompare(b))) {
      if (this.filterState.repos.size && !this.filterState.repos.has(repo)) continue;
      if (filtering && this.filteredList(e, repo).length === 0) continue;
      out.push(this.repoNode(e, repo));
    }
    if (filtering && out.every((n) => n.kind === 'message')) {
      out.push({ kind: 'message', id: `msg:${e.source}:nomatch`, label: 'No instance matches the filter', icon: 'filter', parent: node, command: { command: 'sweGym.clearFilter', title: 'Clear filter' } });
    }
    return out;
  }

  private filteredList(entry: DatasetEntry, repo: string): TaskInstance[] {
    const key = repoKey(entry, repo);
    let list = this.filtered.get(key);
    if (!list) {
      const all = entry.repos.get(repo) ?? [];
      list = this.filterState === NO_FILTER ? all : applyFilter(all, this.filterState, (id) => this.status.statusOf(id), this.annotationScore);
      this.filtered.set(key, list);
    }
    return list;
  }

  private datasetNode(entry: DatasetEntry): DatasetNode {
    let n = this.datasetNodes.get(entry.source);
    if (!n || n.entry !== entry) this.datasetNodes.set(entry.source, (n = { kind: 'dataset', entry }));
    return n;
  }

  private repoNode(entry: DatasetEntry, repo: string): RepoNode {
    const key = repoKey(entry, repo);
    let n = this.repoNodes.get(key);
    if (!n) this.repoNodes.set(key, (n = { kind: 'repo', entry, repo }));
    return n;
  }

  private pageNode(parent: RepoNode, start: number, total: number): PageNode {
    const key = `${repoKey(parent.entry, parent.repo)}\0${start}`;
    let n = this.pageNodes.get(key);
    if (!n) this.pageNodes.set(key, (n = { kind: 'page', parent, start, end: Math.min(start + PAGE_SIZE, total) }));
    return n;
  }

  private instanceNode(entry: DatasetEntry, instance: TaskInstance, parent: RepoNode | PageNode): InstanceNode {
    let byDataset = this.instanceNodes.get(instance.instance_id);
    if (!byDataset) this.instanceNodes.set(instance.instance_id, (byDataset = new Map()));
    let n = byDataset.get(entry.source);
    if (!n) byDataset.set(entry.source, (n = { kind: 'instance', entry, instance, parent }));
    return n;
  }
}

function repoKey(entry: DatasetEntry, repo: string): string {
  return `${entry.source}\0${repo}`;
}
