import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RULE_SET_LABELS } from '../grading/ruleSet';
import type { EvaluationResult } from './evaluationResult';
import { isInfraFailure } from './evaluationResult';

/** `<out>/<run_id>/<model with / as __>/<instance_id>/`, the harness's layout. */
export function instanceOutputDir(outDir: string, runId: string, model: string, instanceId: string): string {
  return path.join(outDir, runId, model.replace(/\//g, '__'), instanceId);
}

/** The harness's report.json entry, plus v5's infra keys and our own verdict details. */
export function harnessReport(r: EvaluationResult): Record<string, unknown> {
  const graded = r.grade !== undefined && (r.status === 'resolved' || r.status === 'unresolved' || r.status === 'error');
  const entry: Record<string, unknown> = {
    patch_is_None: r.patch === '' && r.status === 'empty_patch',
    patch_exists: r.patch !== '',
    patch_successfully_applied: r.status !== 'empty_patch' && r.status !== 'patch_apply_failed' && r.applyLog !== '',
    resolved: r.resolved,
  };
  if (graded && r.grade) entry.tests_status = r.grade.reference.tests_status;
  entry.infra_failure = isInfraFailure(r.status);
  entry.infra_failure_reason = isInfraFailure(r.status) ? (r.error ?? null) : null;
  entry.swe_gym_studio = {
    run_id: r.run_id,
    status: r.status,
    infra_failure_kind: r.infraFailure ?? null,
    rules: r.rules,
    rules_label: RULE_SET_LABELS[r.rules],
    resolution: r.grade?.reference.resolution ?? null,
    strict: r.grade ? { rules: r.grade.strict.rules, resolved: r.grade.strict.resolved, resolution: r.grade.strict.resolution, notes: r.grade.strict.notes } : null,
    rules_disagree: r.grade?.disagree ?? false,
    test_command_exit_code: r.testExitCode ?? null,
    skipped_install: r.skippedInstall,
    error: r.error ?? null,
    warnings: r.warnings,
    image: r.image ?? null,
    duration_ms: r.durationMs,
  };
  return { [r.instance_id]: entry };
}

/** Writes patch.diff, eval.sh, test_output.txt, report.json and run_instance.log; returns the folder. */
export async function writeInstanceOutputs(outDir: string, r: EvaluationResult, runLog: string[]): Promise<string> {
  return writeInstanceFiles(instanceOutputDir(outDir, r.run_id, r.model_name_or_path, r.instance_id), r, runLog);
}

/** The same files in a folder of the caller's choosing (a gym session's, beside its trajectory). */
export async function writeInstanceFiles(dir: string, r: EvaluationResult, runLog: string[]): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const writes = [
    fs.writeFile(path.join(dir, 'patch.diff'), r.patch),
    fs.writeFile(path.join(dir, 'report.json'), JSON.stringify(harnessReport(r), null, 4)),
    fs.writeFile(path.join(dir, 'run_instance.log'), [...runLog, r.applyLog, r.error ? `ERROR: ${r.error}` : ''].filter(Boolean).join('\n') + '\n'),
  ];
  if (r.evalScript) writes.push(fs.writeFile(path.join(dir, 'eval.sh'), r.evalScript));
  if (r.testLog) writes.push(fs.writeFile(path.join(dir, 'test_output.txt'), r.testLog));
  await Promise.all(writes);
  return dir;
}

export interface RunSummary {
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  completed_ids: string[];
  incomplete_ids: string[];
  empty_patch_ids: string[];
  submitted_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  error_ids: string[];
  unstopped_containers: string[];
  unremoved_images: string[];
  schema_version: 2;
}

/** The harness's run summary, counting an apply failure as unresolved and infra failures as errors. */
export function summarize(totalInstances: number, submittedIds: string[], results: EvaluationResult[], unstopped: string[] = []): RunSummary {
  const ids = (f: (r: EvaluationResult) => boolean) => results.filter(f).map((r) => r.instance_id).sort();
  const completed = ids((r) => r.status === 'resolved' || r.status === 'unresolved' || r.status === 'patch_apply_failed');
  const lists: SummaryIds = {
    completed,
    done: new Set(results.map((r) => r.instance_id)),
    resolved: ids((r) => r.status === 'resolved'),
    unresolved: ids((r) => r.status === 'unresolved' || r.status === 'patch_apply_failed'),
    empty: ids((r) => r.status === 'empty_patch'),
    errors: ids((r) => isInfraFailure(r.status)),
  };
  return summaryFromIds(totalInstances, submittedIds, lists, unstopped);
}

/** The id lists a run summary is made of (sorted); its counts follow from them. */
export interface SummaryIds {
  completed: string[];
  /** Instances that finished one way or another; the other submitted ones are incomplete. */
  done: Set<string>;
  resolved: string[];
  unresolved: string[];
  empty: string[];
  errors: string[];
}

/** The harness's summary file from its id lists: one layout for a local run and a gathered one. */
export function summaryFromIds(totalInstances: number, submittedIds: string[], { completed, done, resolved, unresolved, empty, errors }: SummaryIds, unstopped: string[]): RunSummary {
  return {
    total_instances: totalInstances,
    submitted_instances: submittedIds.length,
    completed_instances: completed.length,
    resolved_instances: resolved.length,
    unresolved_instances: unresolved.length,
    empty_patch_instances: empty.length,
    error_instances: errors.length,
    completed_ids: completed,
    incomplete_ids: submittedIds.filter((id) => !done.has(id)).sort(),
    empty_patch_ids: empty,
    submitted_ids: [...submittedIds].sort(),
    resolved_ids: resolved,
    unresolved_ids: unresolved,
    error_ids: errors,
    unstopped_containers: unstopped,
    unremoved_images: [],
    schema_version: 2,
  };
}
