import type { AgentStats } from '../../shared/agentStats';
import type { InstancePageState } from '../../shared/instancePage';
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
}

/** The page's view model. Gold patch and test names are left out unless revealed. */
export function buildPageState(ref: InstanceRef, deps: PageStateDeps): InstancePageState {
  const { instance, entry } = ref;
  const id = instance.instance_id;
  const record = deps.state.get(id);
  const revealed = record.revealed ?? {};
  const showNames = !!revealed.tests;
  const history: RunRecord[] = (record.history ?? []).map((r) => (showNames ? r : { ...r, tests: r.tests?.map(({ id: _hidden, ...t }) => t) }));
  const busy = deps.busy.get(id);
  const candidate = deps.evaluation.lastCandidate(id);
  const agents = deps.agentStats?.(id);
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
      ...(instance.image_name ? { imageName: instance.image_name } : {}),
    },
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
  };
}
