import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadClosedTrajectory } from '../../core/trajectory/readTrajectory';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { GradeView, ImportedRunRow, ReplayView } from '../../shared/trajectoryView';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';

/** What a replay in a fresh container found beyond the row's summary: per-step diffs and verdicts. */
export interface ReplayExtras {
  diffs?: (string | null)[];
  replay?: ReplayView;
}

const INDEX = 'index.json';

/**
 * Imported runs, kept across window reloads: each run's trajectory (our format) is a file of its
 * own in the extension's storage, and a small index holds the rows the tree shows, so hundreds of
 * runs cost one file read at startup and a trajectory is read only when its view opens.
 */
export class ImportedRunStore extends Disposable {
  private readonly rows = new Map<string, ImportedRunRow>();
  private readonly byInstance = new Map<string, Set<string>>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose runs changed. */
  readonly onDidChange = this.changed.event;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Reads the index written by an earlier window (missing or unreadable: no runs). */
  async load(): Promise<void> {
    let rows: ImportedRunRow[] = [];
    try {
      rows = JSON.parse(await fs.readFile(path.join(this.dir, INDEX), 'utf8')) as ImportedRunRow[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`Imported runs: could not read ${path.join(this.dir, INDEX)}: ${errorMessage(err)}`);
    }
    for (const r of rows) this.index(r);
    for (const id of this.byInstance.keys()) this.changed.fire(id);
  }

  runsOf(instanceId: string): ImportedRunRow[] {
    return [...(this.byInstance.get(instanceId) ?? [])].map((id) => this.rows.get(id)).filter((r): r is ImportedRunRow => !!r);
  }

  row(rolloutId: string): ImportedRunRow | undefined {
    return this.rows.get(rolloutId);
  }

  all(): ImportedRunRow[] {
    return [...this.rows.values()];
  }

  /** Writes the run's trajectory and adds (or replaces: same file and entry) its row; call `save` after a batch. */
  async add(t: ClosedTrajectory, datasetSource: string): Promise<ImportedRunRow> {
    const src = t.imported;
    if (!src) throw new Error(`${t.rollout_id} is not an imported run`);
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.trajectoryPath(t.rollout_id);
    await fs.writeFile(`${file}.tmp`, JSON.stringify(t));
    await fs.rename(`${file}.tmp`, file);
    // A re-import of the same run starts over: its old grade and replay were of the old file.
    await fs.rm(this.extrasPath(t.rollout_id), { force: true });
    const row: ImportedRunRow = {
      rolloutId: t.rollout_id,
      instanceId: t.instance_id,
      datasetSource,
      format: src.format,
      scaffold: src.scaffold,
      model: t.model,
      exitStatus: src.exit_status,
      steps: t.steps,
      recordedResolved: src.resolved,
      sourceFile: src.file,
      entry: src.entry,
      importedAt: new Date().toISOString(),
      fileHasDiffs: !!src.step_diffs?.some((d) => d !== null),
      hasPatch: t.patch !== null,
    };
    this.index(row);
    return row;
  }

  /** Tells the tree and views which instances changed (after a batch of `add`). */
  announce(instanceIds: Iterable<string>): void {
    for (const id of new Set(instanceIds)) this.changed.fire(id);
  }

  async setGrade(rolloutId: string, grade: GradeView): Promise<void> {
    const row = this.rows.get(rolloutId);
    if (!row) return;
    row.grade = grade;
    await this.save();
    this.changed.fire(row.instanceId);
  }

  async setReplay(rolloutId: string, extras: ReplayExtras): Promise<void> {
    const row = this.rows.get(rolloutId);
    if (!row) return;
    const merged = { ...(await this.extras(rolloutId)), ...extras };
    await fs.writeFile(this.extrasPath(rolloutId), JSON.stringify(merged));
    if (extras.replay) row.replay = { at: extras.replay.at, counts: extras.replay.counts, firstDivergence: extras.replay.firstDivergence?.step ?? null };
    await this.save();
    this.changed.fire(row.instanceId);
  }

  async remove(rolloutId: string): Promise<void> {
    const row = this.rows.get(rolloutId);
    if (!row) return;
    this.rows.delete(rolloutId);
    this.byInstance.get(row.instanceId)?.delete(rolloutId);
    await Promise.all([fs.rm(this.trajectoryPath(rolloutId), { force: true }), fs.rm(this.extrasPath(rolloutId), { force: true })]);
    await this.save();
    this.changed.fire(row.instanceId);
  }

  trajectory(rolloutId: string): Promise<ClosedTrajectory> {
    return loadClosedTrajectory(this.trajectoryPath(rolloutId));
  }

  async extras(rolloutId: string): Promise<ReplayExtras> {
    try {
      return JSON.parse(await fs.readFile(this.extrasPath(rolloutId), 'utf8')) as ReplayExtras;
    } catch {
      return {};
    }
  }

  /** Writes the index (one write at a time; the last one wins). */
  save(): Promise<void> {
    const rows = [...this.rows.values()];
    this.saving = this.saving.then(async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const file = path.join(this.dir, INDEX);
      await fs.writeFile(`${file}.tmp`, JSON.stringify(rows));
      await fs.rename(`${file}.tmp`, file);
    });
    return this.saving;
  }

  private index(row: ImportedRunRow): void {
    this.rows.set(row.rolloutId, row);
    let set = this.byInstance.get(row.instanceId);
    if (!set) this.byInstance.set(row.instanceId, (set = new Set()));
    set.add(row.rolloutId);
  }

  private trajectoryPath(rolloutId: string): string {
    return path.join(this.dir, `${safe(rolloutId)}.json`);
  }

  private extrasPath(rolloutId: string): string {
    return path.join(this.dir, `${safe(rolloutId)}.replay.json`);
  }
}

function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
