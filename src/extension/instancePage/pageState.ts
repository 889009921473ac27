import { FAMILY_NAME } from '../../core/dataset/flavor';
import { RULE_SET_LABELS } from '../../core/grading/ruleSet';
import { extraNotes, type InstanceSpec, InstanceSpecError } from '../../core/spec/instanceSpec';
import type { AgentStats } from '../../shared/agentStats';
import type { AnnotationView, InstancePageState, RunSpecView } from '../../shared/instancePage';
import type { RunRecord } from '../../shared/runRecord';
import { patchStats } from '../../shared/patchStats';
import type { InstanceRef } from '../datasets/datasetStore';
import { difficultyOf } from '../datasets/difficulty';
import type { EvaluationService } from '../evaluation/evaluationService';
import type { InstanceStatusService } from '../instanceStatus';
import type { BusyTracker } from '../devContainers/busyTracker';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { StateStore } from '../state/stateStore';

export interface PageStateDeps {
  state: StateStore;
  status: InstanceStatusService;
  devContainers: DevContainerManager;
  busy: BusyTracker;
  evaluation: EvaluationService;
  /** Success rate and pass@k of the agent rollouts, when there are any. */
  agentStats?(instanceId: string): AgentStats | undefined;
  /** The instance's difficulty annotations, when there are any. */
  annotations?(instanceId: string): AnnotationView[];
}

/** How the instance is run and why, from its spec; the row's reason instead when it cannot be run. */
export function runSpecView(makeSpec: () => InstanceSpec): RunSpecView | { cannotRun: string } {
  let spec: InstanceSpec;
  try {
    spec = makeSpec();
  } catch (err) {
    if (err instanceof InstanceSpecError) return { cannotRun: err.message };
    throw err;
  }
  const flavor = spec.family.flavor;
  return {
    family: { name: flavor === 'samples' ? 'the bundled samples' : FAMILY_NAME[flavor], reason: spec.family.reason },
    rules: { label: RULE_SET_LABELS[spec.rules.reference], strictLabel: RULE_SET_LABELS[spec.rules.strict], reason: spec.rules.reason },
    image: { name: spec.image.name, policy: spec.image.policy, reason: spec.image.reason },
    logParser: spec.logParser,
    testCommand: spec.testCommand,
    notes: [...extraNotes(spec)],
  };
}

/**
 * The page's view model. Gold patch and test names (and the test command, which names the
 * hidden test files) are left out unless revealed.
 */
export function buildPageState(ref: InstanceRef, deps: PageStateDeps, spec: RunSpecView | { cannotRun: string }): InstancePageState {
  const { instance, entry } = ref;
  const id = instance.instance_id;
  const record = deps.state.get(id);
  const revealed = record.revealed ?? {};
  const showNames = !!revealed.tests;
  const history: RunRecord[] = (record.history ?? []).map((r) => (showNames ? r : { ...r, tests: r.tests?.map(({ id: _hidden, ...t }) => t) }));
  const busy = deps.busy.get(id);
  const candidate = deps.evaluation.lastCandidate(id);
  const agents = deps.agentStats?.(id);
  const annotations = deps.annotations?.(id);
  return {
    datasetName: entry.name,
    instance: {
      id,
      repo: instance.repo,
      baseCommit: instance.base_commit,
      version: instance.version,
      createdAt: instance.created_at,
      problemStatement: instance.problem_statement,
      hints: instance.hints_text,
    },
    spec: 'cannotRun' in spec || showNames ? spec : (({ testCommand: _hidden, ...rest }) => rest)(spec),
    difficulty: difficultyOf(instance),
    status: deps.status.statusOf(id),
    revealed,
    ...(revealed.gold ? { gold: { patch: instance.patch, stats: patchStats(instance.patch) } } : {}),
    tests: {
      failToPass: instance.FAIL_TO_PASS.length,
      passToPass: instance.PASS_TO_PASS.length,
      ...(showNames ? { names: { failToPass: instance.FAIL_TO_PASS, passToPass: instance.PASS_TO_PASS } } : {}),
    },
    session: deps.devContainers.view(id),
    ...(busy ? { busy } : {}),
    history,
    ...(candidate ? { candidate } : {}),
    ...(agents?.rollouts ? { agents } : {}),
    ...(annotations?.length ? { annotations } : {}),
  };
}
