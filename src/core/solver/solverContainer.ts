import type { TaskInstance } from '../dataset/taskInstance';
import { truncateHistoryToBase, type HistoryMode } from '../devcontainer/gitHistory';
import type { ContainerHandle, ContainerRuntime, ContainerSpec } from '../runtime/containerRuntime';

/** Where the repository lives in every task image (SWE-Gym and SWE-bench alike). */
export const SOLVER_REPO_DIR = '/testbed';

export interface SolverContainerSpec extends Omit<ContainerSpec, 'image' | 'instanceId'> {
  /** The repository inside the image (default /testbed). */
  repoDir?: string;
  historyMode?: HistoryMode;
}

export interface SolverContainer {
  container: ContainerHandle;
  /** What cutting the history took (container creation not included). */
  historyCutMs: number;
}

/**
 * The one way a container a solver acts in is made: dev-container seeds, agent rollouts, forks,
 * replays (and any later gym-server or demonstration session). Task images carry the upstream
 * clone in /testbed/.git, future commits, tags and reflogs included (SWE-bench #465), so the
 * history is cut at the base commit before anyone gets a shell; a container whose history cannot
 * be cut is removed, never handed out.
 */
export async function startSolverContainer(runtime: ContainerRuntime, instance: TaskInstance, image: string, spec: SolverContainerSpec): Promise<SolverContainer> {
  const { repoDir = SOLVER_REPO_DIR, historyMode, ...containerSpec } = spec;
  const container = await runtime.createContainer({ ...containerSpec, image, instanceId: instance.instance_id });
  try {
    const t = Date.now();
    await truncateHistoryToBase(container, repoDir, instance.base_commit, { mode: historyMode, signal: spec.signal });
    return { container, historyCutMs: Date.now() - t };
  } catch (err) {
    await container.remove().catch(() => undefined);
    throw err;
  }
}
