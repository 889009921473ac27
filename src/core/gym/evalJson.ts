import type { EvaluationResult } from '../harness/evaluationResult';

/** One instance's entry of `swe-gym eval --json`: what a gym client gets back from evaluate. */
export interface EvalJsonEntry {
  instance_id: string;
  model_name_or_path: string;
  resolved: boolean;
  status: string;
  rules: string;
  strict_resolved: boolean;
  rules_disagree: boolean;
  error: string | null;
  output_dir: string | null;
  duration_ms: number;
}

export function evalJsonEntry(r: EvaluationResult): EvalJsonEntry {
  return {
    instance_id: r.instance_id,
    model_name_or_path: r.model_name_or_path,
    resolved: r.resolved,
    status: r.status,
    rules: r.rules,
    strict_resolved: r.grade?.strict.resolved ?? false,
    rules_disagree: r.grade?.disagree ?? false,
    error: r.error ?? null,
    output_dir: r.outputDir ?? null,
    duration_ms: r.durationMs,
  };
}
