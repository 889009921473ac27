import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import { parseFilePatches, stripGitPrefix } from '../../shared/patchStats';
import type { InstanceRef } from '../datasets/datasetStore';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import type { AgentSession } from './agentSession';

export const ROLLOUT_DIFF_SCHEME = 'swe-gym-rollout';
/** Patches of the rollouts whose diffs were opened (documents may be re-read while open). */
const KEEP = 20;

type Side = 'base' | 'after' | 'patch';

/** The changes a rollout made: its final patch, else its workspace after its last step. */
export function rolloutPatch(s: AgentSession): string | undefined {
  const final = s.finalResult?.patch;
  if (typeof final === 'string') return final;
  let patch: string | undefined;
  for (const e of s.history()) {
    if (e.type === 'workspace_diff') patch = e.patch;
    if (e.type === 'patch' && e.patch !== null) patch = e.patch;
  }
  return patch;
}

/**
 * A rollout's own changes in a diff editor, whatever the workspace holds now (the person or a
 * later rollout may have changed it, and forks never touched it): base commit <-> base plus the
 * rollout's patch, file by file. The base is read from the instance's dev container; without one
 * running, the patch itself is shown.
 */
export class RolloutDiffs extends Disposable {
  private readonly patches = new Map<string, { ref: InstanceRef; patch: string }>();

  constructor(private readonly devContainers: DevContainerManager) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(ROLLOUT_DIFF_SCHEME, { provideTextDocumentContent: (uri) => this.content(uri) }));
  }

  /** Opens the rollout's changes; returns how many files they touch. */
  async show(session: AgentSession, ref: InstanceRef, label: string): Promise<number> {
    const patch = rolloutPatch(session);
    const files = parseFilePatches(patch ?? '');
    if (!patch || files.length === 0) {
      void vscode.window.showInformationMessage(`${label} has no changes against the base commit${session.isLive ? ' yet' : ''}.`);
      return 0;
    }
    const key = session.rolloutId;
    this.patches.delete(key);
    this.patches.set(key, { ref, patch });
    for (const old of [...this.patches.keys()].slice(0, Math.max(0, this.patches.size - KEEP))) this.patches.delete(old);
    const title = `${label}: base ↔ its changes`;
    if (!this.devContainers.isRunning(ref.instance.instance_id)) {
      const doc = await vscode.workspace.openTextDocument(this.uri(key, 'patch', `${ref.instance.instance_id}-${key}.diff`));
      await vscode.languages.setTextDocumentLanguage(doc, 'diff');
      await vscode.window.showTextDocument(doc, { preview: true });
      return files.length;
    }
    const resources = files.map((f) => {
      const left = this.uri(key, 'base', f.created ? '' : (f.oldPath ?? f.path), f.path);
      const right = this.uri(key, 'after', f.deleted ? '' : f.path, f.path);
      return [right, left, right] as const;
    });
    const [first] = resources;
    if (resources.length === 1 && first) await vscode.commands.executeCommand('vscode.diff', first[1], first[2], `${title} (${files[0]?.path})`);
    else await vscode.commands.executeCommand('vscode.changes', title, resources);
    return files.length;
  }

  /** `file` empty: that side has no such file (created or deleted). `shown` names the document. */
  private uri(rolloutId: string, side: Side, file: string, shown = file): vscode.Uri {
    return vscode.Uri.from({ scheme: ROLLOUT_DIFF_SCHEME, path: `/${rolloutId}/${side}/${shown}`, query: new URLSearchParams({ file }).toString() });
  }

  private async content(uri: vscode.Uri): Promise<string> {
    const [, rolloutId, side] = uri.path.split('/');
    const entry = this.patches.get(rolloutId ?? '');
    if (!entry) return '(this rollout’s diff is no longer open: use Show diff in its agent view again)';
    if (side === 'patch') return entry.patch;
    const file = new URLSearchParams(uri.query).get('file') ?? '';
    if (!file) return '';
    const base = (await this.devContainers.fileAtBase(entry.ref, file)) ?? '';
    if (side === 'base') return base;
    const filePatch = parsePatch(entry.patch).find((p) => stripGitPrefix(p.newFileName) === file || stripGitPrefix(p.oldFileName) === file);
    if (!filePatch) return base;
    const after = applyPatch(base, filePatch, { fuzzFactor: 0 });
    return after === false ? `(the rollout's patch does not apply to ${file} at the base commit)\n` : after;
  }
}
