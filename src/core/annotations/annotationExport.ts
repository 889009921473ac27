import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePatch } from 'diff';
import type { TaskInstance } from '../dataset/taskInstance';
import { unmatchableTests } from '../harness/testIdChecks';
import { makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import type { DatasetContext } from '../spec/datasetContext';
import { listRunTrajectories } from '../trajectory/exportRows';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { ANONYMOUS, type DifficultyAnnotation } from './annotation';
import { ANNOTATIONS_FILE, readAnnotationsFile } from './annotationStore';
import type { ValidationFlags } from './validationFlags';

/** One exported line: a person's answers (or none) beside the instance's objective figures and flags. */
export interface AnnotationRow {
  instance_id: string;
  repo: string;
  annotator: string | null;
  difficulty: string | null;
  underspecified: number | null;
  false_negative: number | null;
  notes: string | null;
  annotated_at: string | null;
  /** SWE-bench Verified's own label when the dataset carries one. */
  dataset_difficulty: string | null;
  gold_patch_files: number;
  gold_patch_lines: number;
  fail_to_pass: number;
  pass_to_pass: number;
  /** Rewarded agent rollouts that count (fresh container at the base commit), and how many resolved. */
  agent_rollouts: number;
  agent_resolved: number;
  agent_success_rate: number | null;
  human_demonstrations: number;
  human_resolved: number;
  /** This annotator's active time on their latest resolved demonstration of the instance. */
  human_time_to_solve_ms: number | null;
  /** Median active time over every resolved demonstration of the instance. */
  human_median_time_to_solve_ms: number | null;
  /** Listed test ids no log can hold: found from the row, always present. */
  unmatchable_tests: { id: string; list: string; reason: string }[];
  /** From `swe-gym validate --json` (null: the instance was not in the validation file). */
  missing_from_log: string[] | null;
  fail_to_pass_passing_on_base: string[] | null;
  flaky_tests: string[] | null;
  validation_gold_runs: number | null;
}

export interface RunsFound {
  annotations: DifficultyAnnotation[];
  trajectories: ClosedTrajectory[];
  /** Folders read, for the command's summary. */
  folders: string[];
}

/**
 * Reads annotations and closed trajectories (rollouts and demonstrations) from each folder and
 * its direct subfolders: a demonstrations root holds one folder per annotator, a runs folder one
 * folder per run.
 */
export async function collectRuns(dirs: readonly string[]): Promise<RunsFound> {
  const found: RunsFound = { annotations: [], trajectories: [], folders: [] };
  for (const dir of dirs) {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a folder`);
    const subdirs = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.endsWith('.files') && !e.name.startsWith('.'))
      .map((e) => path.join(dir, e.name));
    for (const folder of [dir, ...subdirs.sort()]) {
      const file = path.join(folder, ANNOTATIONS_FILE);
      if (fs.existsSync(file)) found.annotations.push(...readAnnotationsFile(file).annotations);
      const { trajectories } = await listRunTrajectories(folder);
      found.trajectories.push(...trajectories);
      found.folders.push(folder);
    }
  }
  return found;
}

export interface RowOptions {
  context: DatasetContext;
  settings?: SpecSettings;
  validation?: ReadonlyMap<string, ValidationFlags>;
  /** Also a row for each instance nobody annotated (objective figures and flags only). */
  all?: boolean;
}

/** One row per (instance, annotator), in dataset order; with `all`, one more per unannotated instance. */
export function annotationRows(instances: readonly TaskInstance[], found: Pick<RunsFound, 'annotations' | 'trajectories'>, o: RowOptions): AnnotationRow[] {
  const byInstance = groupBy(found.annotations, (a) => a.instance_id);
  const runs = groupBy(found.trajectories, (t) => t.instance_id);
  const rows: AnnotationRow[] = [];
  for (const inst of instances) {
    const answers = byInstance.get(inst.instance_id) ?? [];
    if (!answers.length && !o.all) continue;
    const base = objectiveFigures(inst, runs.get(inst.instance_id) ?? [], o);
    const demos = (runs.get(inst.instance_id) ?? []).filter((t) => t.demonstration);
    for (const a of answers.length ? [...answers].sort((x, y) => x.annotator.localeCompare(y.annotator)) : [undefined]) {
      const own = demos.filter((t) => t.reward?.resolved && a && (t.demonstration?.annotator ?? ANONYMOUS) === a.annotator).sort((x, y) => y.finished_at.localeCompare(x.finished_at))[0];
      rows.push({
        instance_id: inst.instance_id,
        repo: inst.repo,
        annotator: a?.annotator ?? null,
        difficulty: a?.difficulty ?? null,
        underspecified: a?.underspecified ?? null,
        false_negative: a?.false_negative ?? null,
        notes: a?.notes ?? null,
        annotated_at: a?.annotated_at ?? null,
        ...base,
        human_time_to_solve_ms: own?.demonstration?.active_ms ?? null,
      });
    }
  }
  return rows;
}

function objectiveFigures(inst: TaskInstance, runs: readonly ClosedTrajectory[], o: RowOptions): Omit<AnnotationRow, 'instance_id' | 'repo' | 'annotator' | 'difficulty' | 'underspecified' | 'false_negative' | 'notes' | 'annotated_at' | 'human_time_to_solve_ms'> {
  const gold = goldSize(inst.patch);
  const agents = runs.filter((t) => !t.demonstration && !t.imported && !t.run_error && t.reward && t.environment?.counted !== false);
  const demos = runs.filter((t) => t.demonstration && t.reward);
  const solved = demos.filter((t) => t.reward?.resolved).map((t) => t.demonstration!.active_ms);
  const v = o.validation?.get(inst.instance_id);
  let unmatchable: AnnotationRow['unmatchable_tests'];
  try {
    const spec = makeInstanceSpec(inst, o.context, o.settings);
    unmatchable = unmatchableTests(spec.tests, spec.logParser, spec.repoDir);
  } catch {
    // A row the spec rules out has no log parser to check its ids against; validate says why.
    unmatchable = [];
  }
  return {
    dataset_difficulty: inst.difficulty ?? null,
    gold_patch_files: gold.files,
    gold_patch_lines: gold.lines,
    fail_to_pass: inst.FAIL_TO_PASS.length,
    pass_to_pass: inst.PASS_TO_PASS.length,
    agent_rollouts: agents.length,
    agent_resolved: agents.filter((t) => t.reward?.resolved).length,
    agent_success_rate: agents.length ? agents.filter((t) => t.reward?.resolved).length / agents.length : null,
    human_demonstrations: demos.length,
    human_resolved: solved.length,
    human_median_time_to_solve_ms: median(solved),
    unmatchable_tests: unmatchable,
    missing_from_log: v?.missing_from_log ?? null,
    fail_to_pass_passing_on_base: v?.fail_to_pass_passing_on_base ?? null,
    flaky_tests: v?.flaky_tests ?? null,
    validation_gold_runs: v?.gold_runs ?? null,
  };
}

/** Reads the flags of a `swe-gym validate --json` output. */
export function readValidationFlags(file: string): Map<string, ValidationFlags> {
  let raw: { instances?: { instance_id?: unknown; flags?: ValidationFlags }[] };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the validation in ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw?.instances)) throw new Error(`${file} is not the output of \`swe-gym validate --json\` (no "instances" list)`);
  const out = new Map<string, ValidationFlags>();
  for (const i of raw.instances) {
    if (typeof i.instance_id !== 'string' || !i.flags) throw new Error(`${file}: an instance without "flags" — it was written by an older swe-gym validate; run it again`);
    out.set(i.instance_id, i.flags);
  }
  return out;
}

export type AnnotationFormat = 'csv' | 'jsonl';

export function formatRows(rows: readonly AnnotationRow[], format: AnnotationFormat): string {
  if (format === 'jsonl') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const columns = Object.keys(csvRow(emptyRow())) as (keyof ReturnType<typeof csvRow>)[];
  return [columns.join(','), ...rows.map((r) => ((flat) => columns.map((c) => csvCell(flat[c] ?? null)).join(','))(csvRow(r)))].map((l) => `${l}\r\n`).join('');
}

/** Lists become a count and the ids ('; '-joined), so a spreadsheet sorts by the count. */
function csvRow(r: AnnotationRow): Record<string, string | number | null> {
  const { unmatchable_tests, missing_from_log, fail_to_pass_passing_on_base, flaky_tests, ...flat } = r;
  const list = (xs: readonly string[] | null) => (xs === null ? [null, null] : [xs.length, xs.join('; ')]);
  const [mc, mi] = list(missing_from_log);
  const [pc, pi] = list(fail_to_pass_passing_on_base);
  const [fc, fi] = list(flaky_tests);
  return {
    ...flat,
    unmatchable_test_count: unmatchable_tests.length,
    unmatchable_test_ids: unmatchable_tests.map((u) => u.id).join('; '),
    missing_from_log_count: mc ?? null,
    missing_from_log_ids: mi ?? null,
    fail_to_pass_passing_on_base_count: pc ?? null,
    fail_to_pass_passing_on_base_ids: pi ?? null,
    flaky_test_count: fc ?? null,
    flaky_test_ids: fi ?? null,
  };
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; a leading =+-@ is neutralised so a spreadsheet never runs it. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function emptyRow(): AnnotationRow {
  return {
    instance_id: '', repo: '', annotator: null, difficulty: null, underspecified: null, false_negative: null, notes: null, annotated_at: null, dataset_difficulty: null,
    gold_patch_files: 0, gold_patch_lines: 0, fail_to_pass: 0, pass_to_pass: 0, agent_rollouts: 0, agent_resolved: 0, agent_success_rate: null,
    human_demonstrations: 0, human_resolved: 0, human_time_to_solve_ms: null, human_median_time_to_solve_ms: null,
    unmatchable_tests: [], missing_from_log: null, fail_to_pass_passing_on_base: null, flaky_tests: null, validation_gold_runs: null,
  };
}

function goldSize(patch: string): { files: number; lines: number } {
  if (!patch.trim()) return { files: 0, lines: 0 };
  const files = parsePatch(patch);
  let lines = 0;
  for (const f of files) for (const h of f.hunks) for (const l of h.lines) if (l.startsWith('+') || l.startsWith('-')) lines++;
  return { files: files.length, lines };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}
