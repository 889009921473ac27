import { rewardRecord, type RewardSettings } from '../agent/agentRollout';
import type { RewardRecord } from '../agent/events';
import { evaluateInstance } from '../harness/evaluateInstance';
import type { EvaluationResult } from '../harness/evaluationResult';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import type { InstanceSpec } from '../spec/instanceSpec';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import type { DemoRecorder } from './demoRecorder';

export interface FinishOptions {
  runtime: ContainerRuntime;
  /** The instance, made once: the grade's image, eval script and rules. */
  spec: InstanceSpec;
  /** Takes the final patch as rollouts take it (extractPatch / candidatePatch on the dev container). */
  takePatch: () => Promise<string>;
  /** false: no grading. */
  reward?: false | RewardSettings;
  sessionId?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/**
 * Ends a demonstration as a rollout ends: the last changes recorded, the final patch taken, graded
 * by the hidden tests in a fresh container, and the log closed into a trajectory file.
 */
export async function finishDemonstration(recorder: DemoRecorder, o: FinishOptions): Promise<{ trajectory: ClosedTrajectory; evaluation?: EvaluationResult }> {
  o.onProgress?.('Recording the last changes');
  await recorder.scan();
  let patch: string | null = null;
  let patchError: string | undefined;
  try {
    o.onProgress?.('Taking the final patch');
    patch = await o.takePatch();
  } catch (err) {
    patchError = (err as Error).message;
  }
  let reward: RewardRecord | null = null;
  let evaluation: EvaluationResult | undefined;
  if (o.reward !== false && patch !== null) {
    o.onProgress?.('Running the hidden tests in a fresh container');
    evaluation = await evaluateInstance(o.runtime, o.spec, patch, {
      modelName: 'human',
      sessionId: o.sessionId,
      signal: o.signal,
      onProgress: o.onProgress,
      ...(o.reward ?? {}),
    });
    reward = rewardRecord(evaluation, o.spec.tests);
  }
  const trajectory = await recorder.finish({ patch, ...(patchError ? { patchError } : {}), reward });
  return { trajectory, ...(evaluation ? { evaluation } : {}) };
}
