import { prepareWorkspace, type LaunchOptions, type LaunchProgress, type PreparedWorkspace } from '../devcontainer/launchDevContainer';
import { abandonWorkspace, readWorkspaceMarker } from '../devcontainer/workspaceLayout';
import { tryWorkspaceLock } from '../devcontainer/workspaceLock';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import type { InstanceSpec } from '../spec/instanceSpec';
import { isAbortError } from '../util/abortError';

export type PrefetchState = 'preparing' | 'ready' | 'failed';

interface Entry {
  instanceId: string;
  state: PrefetchState;
  controller: AbortController;
  done: Promise<PreparedWorkspace | undefined>;
  prepared?: PreparedWorkspace;
  error?: string;
  /** The launch took it: the workspace is the person's from now on, never removed here. */
  handedOver: boolean;
}

export interface PrefetchOptions extends Pick<LaunchOptions, 'workspaceRoot' | 'hostUser' | 'historyMode' | 'sessionId'> {
  /** Called when an instance's preparation starts, ends or fails (status bars). */
  onChange?: (instanceId: string, state: PrefetchState | undefined) => void;
  /** The preparation's steps (image, workspace), as a launch reports them. */
  onProgress?: (instanceId: string, p: LaunchProgress) => void;
}

/**
 * Makes a campaign's next instance ready while the person works on the current one: its image
 * ensured (built or pulled per the spec's policy) and its workspace copied, so that launching it
 * is only starting a container. One preparation at a time (the next instance changes when the
 * person skips): starting another cancels the one in flight, whose partial copy and seed
 * container go with it. stop() cancels what is in flight and removes the workspaces made here
 * that no launch took, so a stopped campaign leaves neither a container nor a stray copy.
 */
export class CampaignPrefetcher {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly runtime: () => ContainerRuntime,
    private readonly options: PrefetchOptions,
  ) {}

  state(instanceId: string): PrefetchState | undefined {
    return this.entries.get(instanceId)?.state;
  }

  /** The error of a failed preparation (the launch then does the whole work when its turn comes). */
  error(instanceId: string): string | undefined {
    return this.entries.get(instanceId)?.error;
  }

  /** Starts preparing `spec`'s instance (if it is not already), cancelling any other preparation in flight. */
  prefetch(spec: InstanceSpec): Promise<PreparedWorkspace | undefined> {
    const id = spec.instanceId;
    const known = this.entries.get(id);
    if (known && known.state !== 'failed') return known.done;
    for (const e of this.entries.values()) if (e.state === 'preparing') e.controller.abort();
    const controller = new AbortController();
    const entry: Entry = { instanceId: id, state: 'preparing', controller, handedOver: false, done: Promise.resolve(undefined) };
    entry.done = prepareWorkspace(this.runtime(), spec, { ...this.pick(), signal: controller.signal, onProgress: (p) => this.options.onProgress?.(id, p) }).then(
      (prepared) => {
        entry.prepared = prepared;
        entry.state = 'ready';
        this.options.onChange?.(id, 'ready');
        return prepared;
      },
      (err: unknown) => {
        entry.state = 'failed';
        entry.error = isAbortError(err) ? 'cancelled' : err instanceof Error ? err.message : String(err);
        this.options.onChange?.(id, 'failed');
        return undefined;
      },
    );
    this.entries.set(id, entry);
    this.options.onChange?.(id, 'preparing');
    return entry.done;
  }

  /**
   * The instance's turn has come: waits for its preparation if one is in flight (a failed or
   * missing one resolves undefined: the launch does the whole work), and lets the launch have the
   * workspace. Never throws.
   */
  async handOver(instanceId: string): Promise<PreparedWorkspace | undefined> {
    const entry = this.entries.get(instanceId);
    if (!entry) return undefined;
    entry.handedOver = true;
    const prepared = await entry.done;
    this.entries.delete(instanceId);
    return prepared;
  }

  /** Cancels what is in flight (its partial copy goes with it) and keeps what is ready, for a later window to reuse. */
  cancel(): void {
    for (const e of this.entries.values()) if (e.state === 'preparing') e.controller.abort();
  }

  /**
   * Cancels what is in flight and removes the workspaces prepared here that no launch took
   * (unless `keep` says the instance is in use, e.g. launched by hand meanwhile).
   */
  async stop(keep: (instanceId: string) => boolean = () => false): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) e.controller.abort();
    await Promise.all(entries.map((e) => e.done));
    for (const e of entries) {
      const p = e.prepared;
      if (!p?.created || e.handedOver || keep(e.instanceId)) continue;
      // A launch (this window's or another's) holding the workspace is taking it: never removed under it.
      const release = await tryWorkspaceLock(p.workspaceDir, 'removal');
      if (!release) continue;
      try {
        if (keep(e.instanceId)) continue;
        // Only the copy made here: a marker rewritten since (another launch) means it is not ours any more.
        const marker = (() => {
          try {
            return readWorkspaceMarker(p.workspaceDir);
          } catch {
            return undefined;
          }
        })();
        if (marker?.instanceId === e.instanceId) abandonWorkspace(p.workspaceDir);
      } finally {
        await release();
      }
      this.options.onChange?.(e.instanceId, undefined);
    }
  }

  private pick(): Pick<LaunchOptions, 'workspaceRoot' | 'hostUser' | 'historyMode' | 'sessionId'> {
    const { workspaceRoot, hostUser, historyMode, sessionId } = this.options;
    return { workspaceRoot, ...(hostUser ? { hostUser } : {}), ...(historyMode ? { historyMode } : {}), ...(sessionId ? { sessionId } : {}) };
  }
}
