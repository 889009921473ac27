import type { LoadedDataset, TaskInstance } from '../dataset/taskInstance';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { datasetContextOf } from '../spec/datasetContext';
import { type InstanceSpec, makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import { evaluateInstance, type EvaluateOptions } from './evaluateInstance';
import type { EvaluationResult } from './evaluationResult';
import { newRunId } from './runId';
import { type PoolEngine, runOnEngines } from '../runtime/enginePool';
import { type UnmatchableTest, unmatchableTests } from './testIdChecks';

export interface InstanceValidation {
  instance_id: string;
  ok: boolean;
  gold: EvaluationResult[];
  /** The hidden tests on the untouched base commit. */
  base: EvaluationResult;
  problems: string[];
  /** Tests whose status changed between gold reruns. */
  flakyTests: string[];
  /** Listed test ids the log parser can never produce (e.g. the collecting machine's absolute paths): found from the row alone. */
  unmatchableTests: UnmatchableTest[];
  /** Listed test ids that no gold run's log holds (empty when no gold run produced a parsed log). */
  missingTests: string[];
  /** FAIL_TO_PASS tests that already pass on the untouched base. */
  passingOnBase: string[];
}

export interface ValidateOptions extends Omit<EvaluateOptions, 'runEmptyPatch' | 'modelName'>, SpecSettings {
  /** How many times to run the gold patch (more than 1 finds flaky tests). */
  goldRuns?: number;
  workers?: number;
  onResult?: (v: InstanceValidation) => void;
  /** An engine of a pool stopped answering: its instances are validated again on the others. */
  onDrain?: (engine: string, reason: string) => void;
}

/**
 * Checks that an instance is sound: the gold patch resolves it (every time, when rerun), and
 * the untouched base does not (its FAIL_TO_PASS tests really fail).
 */
export async function validateInstances(target: ContainerRuntime | readonly PoolEngine[], dataset: LoadedDataset, instances: TaskInstance[], options: ValidateOptions = {}): Promise<InstanceValidation[]> {
  const runId = options.runId ?? newRunId('validate');
  const base: EvaluateOptions = { ...options, runId };
  const context = datasetContextOf(dataset);
  // Every spec first: a row the spec rules out fails the validation before any engine work.
  const specs = new Map(instances.map((inst) => [inst.instance_id, makeInstanceSpec(inst, context, options)]));
  const engines = Array.isArray(target) ? (target as readonly PoolEngine[]) : [{ name: 'engine', runtime: target as ContainerRuntime, workers: Math.max(1, options.workers ?? 1) }];
  const pooled = engines.length > 1;
  const out = await runOnEngines(
    instances,
    engines,
    async (inst, _index, { engine: { runtime } }) => {
      const spec = specs.get(inst.instance_id)!;
      const gold: EvaluationResult[] = [];
      const goldPatch = inst.patch;
      for (let i = 0; i < Math.max(1, options.goldRuns ?? 1); i++) gold.push(await evaluateInstance(runtime, spec, goldPatch, { ...base, modelName: 'gold' }));
      const onBase = await evaluateInstance(runtime, spec, '', { ...base, modelName: 'base', runEmptyPatch: true });
      return judge(spec, gold, onBase);
    },
    {
      signal: options.signal,
      what: `Validation ${runId}`,
      onDone: (v) => options.onResult?.(v),
      suspect: (v) => pooled && [...v.gold, v.base].some((r) => r.infraFailure === 'engine'),
      onDrain: (engine, reason) => options.onDrain?.(engine.name, reason),
    },
  );
  return [...out].sort((a, b) => a.instance_id.localeCompare(b.instance_id));
}

function judge(spec: InstanceSpec, gold: EvaluationResult[], onBase: EvaluationResult): InstanceValidation {
  const problems: string[] = [];
  gold.forEach((g, i) => {
    if (g.status !== 'resolved') problems.push(`gold run ${i + 1}: ${g.status}${g.error ? ` (${g.error})` : ''}${g.grade ? `, f2p ${fmt(g.grade.reference.f2p)} p2p ${fmt(g.grade.reference.p2p)}` : ''}`);
  });
  if (onBase.status === 'resolved') problems.push('the untouched base already resolves it');
  else if (onBase.status !== 'unresolved') problems.push(`base run: ${onBase.status}${onBase.error ? ` (${onBase.error})` : ''}`);
  const passingOnBase = spec.tests.FAIL_TO_PASS.filter((t) => onBase.statusMap[t] === 'PASSED' || onBase.statusMap[t] === 'XFAIL');
  if (passingOnBase.length) problems.push(`FAIL_TO_PASS tests already pass on the base: ${passingOnBase.join(', ')}`);
  const unmatchable = unmatchableTests(spec.tests, spec.logParser, spec.repoDir);
  if (unmatchable.length) problems.push(`${unmatchable.length} listed test id(s) can never match a log: ${unmatchable.slice(0, 3).map((u) => `${u.id} (${u.reason})`).join('; ')}${unmatchable.length > 3 ? '; …' : ''}`);
  // Only logs that were parsed say what is missing: an apply failure or an engine error holds no tests at all.
  const parsed = gold.filter((g) => Object.keys(g.statusMap).length > 0);
  const missingTests = parsed.length ? [...spec.tests.FAIL_TO_PASS, ...spec.tests.PASS_TO_PASS].filter((t) => parsed.every((g) => !(t in g.statusMap))) : [];
  if (missingTests.length) problems.push(`${missingTests.length} listed test(s) missing from every gold log: ${missingTests.slice(0, 5).join(', ')}${missingTests.length > 5 ? ', …' : ''}`);
  const flakyTests = new Set<string>();
  for (const g of gold.slice(1)) {
    for (const id of new Set([...Object.keys(g.statusMap), ...Object.keys(gold[0]?.statusMap ?? {})])) {
      if (g.statusMap[id] !== gold[0]?.statusMap[id]) flakyTests.add(id);
    }
  }
  if (flakyTests.size) problems.push(`flaky tests across ${gold.length} gold runs: ${[...flakyTests].join(', ')}`);
  return { instance_id: spec.instanceId, ok: problems.length === 0, gold, base: onBase, problems, flakyTests: [...flakyTests].sort(), unmatchableTests: unmatchable, missingTests, passingOnBase };
}

function fmt(n: number): string {
  return n.toFixed(2);
}
