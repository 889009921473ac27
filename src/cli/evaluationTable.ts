import type { EvaluationResult } from '../core/harness/evaluationResult';
import { formatTable } from './table';

/** The rewards table the CLI prints after an eval run. */
export function evaluationTable(results: EvaluationResult[]): string {
  const ratio = (g: { success: string[]; failure: string[] } | undefined) => (g ? `${g.success.length}/${g.success.length + g.failure.length}` : '-');
  return formatTable(
    ['instance', 'model', 'status', 'F2P', 'P2P', 'reward', 'strict (v5)', 'time'],
    results.map((r) => [
      r.instance_id,
      r.model_name_or_path,
      r.status,
      ratio(r.grade?.reference.tests_status.FAIL_TO_PASS),
      ratio(r.grade?.reference.tests_status.PASS_TO_PASS),
      r.resolved ? '1' : '0',
      r.grade ? (r.grade.strict.resolved ? '1' : '0') + (r.grade.disagree ? ' (differs)' : '') : '-',
      `${(r.durationMs / 1000).toFixed(1)}s`,
    ]),
  );
}

export function resultLine(r: EvaluationResult): string {
  const detail = r.error ? ` — ${r.error}` : r.grade ? ` (f2p ${r.grade.reference.f2p.toFixed(2)}, p2p ${r.grade.reference.p2p.toFixed(2)})` : '';
  return `${r.instance_id}: ${r.status}${detail} [${(r.durationMs / 1000).toFixed(1)}s]`;
}
