import { ensureImage } from '../../images/ensureImage';
import { extractPatch } from '../../patch/extractPatch';
import type { ContainerHandle, ContainerRuntime } from '../../runtime/containerRuntime';
import { startSolverContainer } from '../../solver/solverContainer';
import type { InstanceSpec } from '../../spec/instanceSpec';
import { abortError, isAbortError } from '../../util/abortError';
import type { ToolCall, ToolSchema } from '../chatTypes';
import { applyCarriedEdit } from '../forkCarry';
import { checkStartState, type RolloutEnvironment } from '../startState';
import { BashSession } from '../tools/bashSession';
import { containerFiles } from '../tools/containerFiles';
import { ControlShell } from '../tools/controlShell';
import { FileEditor } from '../tools/fileEditor';
import { isPythonTool, PythonTools, type PythonToolsSettings } from '../tools/pythonTools';
import { artifactsBind } from '../../languageServer/serverLaunch';
import { ensureServerInContainer } from '../../languageServer/serverUpload';
import { ToolExecutor, type ToolOutcome } from '../tools/toolExecutor';
import { diffTrees, snapshotTree } from '../workspaceState';
import { EndRollout } from './endRollout';
import type { ToolSettings } from './rolloutOptions';

export interface AgentEnvironmentOptions {
  runtime: ContainerRuntime;
  /** The instance, made once: its image and base commit. */
  spec: InstanceSpec;
  /** The repository inside the container (default /testbed). */
  repoDir?: string;
  /** Act in this existing container (a dev container): it is neither made nor removed here. */
  container?: ContainerHandle;
  sessionId?: string;
  tools?: ToolSettings;
  /** The tools the agent is offered (what `runTool` accepts). */
  toolSchemas: ToolSchema[];
  /** The host name the bash prompt shows. */
  promptHost?: string;
  /** The server behind the python_* tools; required when `toolSchemas` has any. */
  languageServer?: PythonToolsSettings;
  /** Lines for the log (the python tools' server). */
  log?: (line: string) => void;
}

/** Hand edits made between `watchEdits()` and `collect()`. */
export interface EditWatch {
  collect(): Promise<{ files: string[]; diff: string } | undefined>;
}

/**
 * Where an agent acts: the task container (a fresh one cut at the base commit, or a given dev
 * container), its control shell and bash session, the file editor, and what is read from it
 * (the workspace diff, hand edits, the patch). `start()` then `runTool()` any number of times,
 * then `close()` (which removes the container only if it made it). Usable without the loop: a
 * gym server or a demonstration recorder drives the same tools.
 */
export class AgentEnvironment {
  readonly repoDir: string;
  /** The image it was started from; '(existing container)' for a given one. */
  image = '(existing container)';
  private containerHandle: ContainerHandle | undefined;
  private controlShell: ControlShell | undefined;
  private bash: BashSession | undefined;
  private executor: ToolExecutor | undefined;
  private python: PythonTools | undefined;
  private where: RolloutEnvironment | null = null;

  constructor(private readonly o: AgentEnvironmentOptions) {
    this.repoDir = o.repoDir ?? '/testbed';
  }

  /** The container, once started. */
  get container(): ContainerHandle | undefined {
    return this.containerHandle;
  }

  /** Where it runs and whether it started clean (so whether its reward counts); null before `start()` reached the repository. */
  get placement(): RolloutEnvironment | null {
    return this.where;
  }

  /** The shell for the environment's own commands (never the agent's session). */
  get control(): ControlShell | undefined {
    return this.controlShell;
  }

  /** Image, container, shells and tools. After a failure part-way, `close()` still removes what was made. */
  async start(signal?: AbortSignal): Promise<void> {
    const o = this.o;
    const wantsPython = o.toolSchemas.some((t) => isPythonTool(t.function.name));
    if (wantsPython && !o.languageServer) throw new Error(`The tools offered include ${o.toolSchemas.filter((t) => isPythonTool(t.function.name)).map((t) => t.function.name).join(', ')}, but no language server was given to answer them (languageServer in the rollout's options).`);
    if (o.container) {
      this.containerHandle = o.container;
    } else {
      const ensured = await ensureImage(o.runtime, o.spec.image, { signal });
      this.image = ensured.image;
      // A remote engine cannot mount the server's cache: it is copied in instead.
      const mount = wantsPython && !o.runtime.remote ? o.languageServer : undefined;
      this.containerHandle = (await startSolverContainer(o.runtime, o.spec.row, this.image, { purpose: 'agent', sessionId: o.sessionId, repoDir: this.repoDir, signal, ...(mount ? { binds: [artifactsBind(mount.artifacts)] } : {}) })).container;
      if (signal?.aborted) throw abortError();
    }
    if (wantsPython && o.languageServer && o.runtime.remote) {
      await ensureServerInContainer(this.containerHandle, o.languageServer.artifacts, { copy: true, signal });
    }
    const container = this.containerHandle;
    this.controlShell = await ControlShell.start(container);
    const start = await checkStartState(this.controlShell, this.repoDir, o.spec.baseCommit);
    const kind = o.container ? 'dev' : 'fresh';
    this.where = { container: kind, startedClean: start.startedClean, ...(kind === 'dev' && !start.startedClean ? { changedAtStart: start.changedAtStart } : {}), counted: kind === 'fresh' || start.startedClean };
    const files = containerFiles(this.controlShell);
    const bash = await BashSession.start(container, { cwd: this.repoDir, promptHost: o.promptHost, ...o.tools, writeFile: (p, s) => files.write(p, s) });
    this.bash = bash;
    const editor = new FileEditor(files, { baseDir: () => bash.cwd, expandTabsOnEdit: o.tools?.expandTabsOnEdit });
    if (wantsPython && o.languageServer) this.python = new PythonTools({ container, shell: this.controlShell, files, repoDir: this.repoDir, interpreter: o.spec.python.interpreter, settings: o.languageServer, ...(o.log ? { log: o.log } : {}) });
    this.executor = new ToolExecutor(bash, editor, o.toolSchemas, this.python);
  }

  /** Runs one tool call; a container that stops answering ends the rollout as an environment error. */
  async runTool(call: ToolCall, signal?: AbortSignal): Promise<ToolOutcome> {
    if (!this.executor) throw new Error('The environment has not started.');
    try {
      return await this.executor.run(call, signal);
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw new EndRollout('environment_error', `The container stopped answering while running ${call.function.name}: ${(err as Error).message}`);
    }
  }

  /** The repository's changes against the base commit right now (untracked files included). */
  async workspaceDiff(): Promise<string> {
    if (!this.controlShell) throw new Error('The rollout has no container yet.');
    const tree = await snapshotTree(this.controlShell, this.repoDir);
    return (await diffTrees(this.controlShell, this.repoDir, this.o.spec.baseCommit, tree)).diff;
  }

  /** Starts watching for hand edits (a snapshot now); undefined when the repository cannot be read. */
  async watchEdits(): Promise<EditWatch | undefined> {
    const shell = this.controlShell;
    if (!shell) return undefined;
    const before = await snapshotTree(shell, this.repoDir).catch(() => undefined);
    if (!before) return undefined;
    return {
      collect: async () => {
        const after = await snapshotTree(shell, this.repoDir).catch(() => undefined);
        if (!after || after === before) return undefined;
        return diffTrees(shell, this.repoDir, before, after);
      },
    };
  }

  /** Applies a hand edit carried from another rollout; returns why it did not apply, or undefined. */
  async applyEdit(diff: string): Promise<string | undefined> {
    const shell = this.controlShell;
    if (!shell) return 'The rollout has no container yet.';
    const files = containerFiles(shell);
    return applyCarriedEdit(shell, this.repoDir, diff, (p, c) => files.write(p, c));
  }

  /** The patch as SWE-Gym takes it: the repository's changes against the base commit. */
  async extractPatch(signal?: AbortSignal): Promise<string> {
    if (!this.containerHandle) throw new Error('The rollout has no container yet.');
    return extractPatch(this.containerHandle, this.o.spec.baseCommit, { repoDir: this.repoDir, signal });
  }

  /** Closes the shells; removes the container if this environment made it. Never throws. */
  async close(): Promise<void> {
    await this.python?.close();
    await this.bash?.close().catch(() => undefined);
    await this.controlShell?.close().catch(() => undefined);
    if (this.containerHandle && !this.o.container) await this.containerHandle.remove().catch(() => undefined);
  }
}
