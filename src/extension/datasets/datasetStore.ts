import * as vscode from 'vscode';
import { loadDataset } from '../../core/dataset/loadDataset';
import type { DatasetFlavor, LoadedDataset, TaskInstance } from '../../core/dataset/taskInstance';
import { datasetContextOf, type DatasetContext } from '../../core/spec/datasetContext';
import type { Settings } from '../config';
import type { StateStore } from '../state/stateStore';
import { abortSignalFrom } from '../util/cancellation';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';

export interface DatasetEntry {
  /** What the user configured: a path, `org/name`, or `samples`. */
  source: string;
  state: 'loading' | 'loaded' | 'failed';
  name: string;
  error?: string;
  dataset?: LoadedDataset;
  flavor: DatasetFlavor;
  /** What instance specs need of the dataset (family and why, folder of the first data file). */
  context: DatasetContext;
  /** repo -> instances, in dataset order. */
  repos: Map<string, TaskInstance[]>;
  byId: Map<string, TaskInstance>;
}

export interface InstanceRef {
  entry: DatasetEntry;
  instance: TaskInstance;
}

/** The datasets shown in the tree: configured ones, ones opened by command, else the samples. */
export class DatasetStore extends Disposable {
  private readonly entries = new Map<string, DatasetEntry>();
  private readonly changed = this.register(new vscode.EventEmitter<DatasetEntry | undefined>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly settings: Settings,
    private readonly state: StateStore,
    private readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sweGym.datasets')) void this.loadAll();
      }),
    );
  }

  list(): DatasetEntry[] {
    return [...this.entries.values()];
  }

  sources(): string[] {
    const configured = [...this.settings.datasets, ...this.state.openedDatasets()];
    return configured.length ? [...new Set(configured)] : ['samples'];
  }

  find(instanceId: string, source?: string): InstanceRef | undefined {
    if (source) {
      const entry = this.entries.get(source);
      const instance = entry?.byId.get(instanceId);
      if (entry && instance) return { entry, instance };
    }
    for (const entry of this.entries.values()) {
      const instance = entry.byId.get(instanceId);
      if (instance) return { entry, instance };
    }
    return undefined;
  }

  totalInstances(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.byId.size;
    return n;
  }

  /** (Re)loads every source; sources no longer listed are dropped. */
  async loadAll(): Promise<void> {
    const wanted = this.sources();
    for (const key of [...this.entries.keys()]) if (!wanted.includes(key)) this.entries.delete(key);
    this.changed.fire(undefined);
    await vscode.window.withProgress({ location: { viewId: 'sweGym.instances' }, title: 'Loading datasets' }, async () => {
      await Promise.all(wanted.map((s) => this.load(s)));
    });
  }

  /**
   * Opens a new source (from the command). Throws with a clear message when it is not a dataset,
   * and remembers it only when it loaded, so a bad file never sticks in the tree.
   */
  async open(source: string): Promise<DatasetEntry> {
    const entry = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Loading ${source}`, cancellable: true },
      (progress, token) => this.load(source, progress, token),
    );
    if (entry.state === 'failed') {
      this.entries.delete(source);
      this.changed.fire(undefined);
      throw new Error(entry.error ?? `Could not load ${source}`);
    }
    // The samples shown by default stay next to the opened dataset (after a reload too).
    const implicit = this.settings.datasets.length === 0 && this.state.openedDatasets().length === 0 && source !== 'samples' && this.entries.has('samples') ? ['samples'] : [];
    await this.state.setOpenedDatasets([...implicit, ...this.state.openedDatasets(), source]);
    return entry;
  }

  async remove(source: string): Promise<void> {
    await this.state.setOpenedDatasets(this.state.openedDatasets().filter((s) => s !== source));
    this.entries.delete(source);
    this.changed.fire(undefined);
  }

  private async load(source: string, progress?: vscode.Progress<{ message?: string }>, token?: vscode.CancellationToken): Promise<DatasetEntry> {
    const entry: DatasetEntry = { source, state: 'loading', name: source, flavor: 'swe-gym', context: { flavor: 'swe-gym' }, repos: new Map(), byId: new Map() };
    this.entries.set(source, entry);
    this.changed.fire(undefined);
    const abort = token ? abortSignalFrom(token) : undefined;
    const started = Date.now();
    try {
      const dataset = await loadDataset(source, {
        signal: abort?.signal,
        onProgress: (rows) => progress?.report({ message: `${rows.toLocaleString('en-US')} rows read` }),
      });
      entry.dataset = dataset;
      entry.name = dataset.name;
      entry.flavor = dataset.flavor;
      entry.context = datasetContextOf(dataset);
      for (const instance of dataset.instances) {
        entry.byId.set(instance.instance_id, instance);
        let list = entry.repos.get(instance.repo);
        if (!list) entry.repos.set(instance.repo, (list = []));
        list.push(instance);
      }
      entry.state = 'loaded';
      this.log.info(`Loaded ${dataset.instances.length} instances from ${source} in ${Date.now() - started} ms (${dataset.issues.length} rows skipped)`);
      for (const issue of dataset.issues.slice(0, 50)) {
        this.log.warn(`${issue.file} row ${issue.row}${issue.instance_id ? ` (${issue.instance_id})` : ''}${issue.field ? ` ${issue.field}` : ''}: ${issue.message}`);
      }
      if (dataset.instances.length === 0) {
        entry.state = 'failed';
        entry.error = `${source} holds no valid task instance${dataset.issues[0] ? `: ${dataset.issues[0].message}` : ''}`;
      }
    } catch (err) {
      entry.state = 'failed';
      entry.error = token?.isCancellationRequested ? `Loading ${source} was cancelled` : errorMessage(err);
      this.log.error(`Could not load dataset ${source}`, err);
    } finally {
      abort?.dispose();
    }
    if (this.entries.get(source) === entry) this.changed.fire(entry);
    return entry;
  }
}
