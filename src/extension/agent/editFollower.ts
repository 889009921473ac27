import * as path from 'node:path';
import * as vscode from 'vscode';
import { currentHostUser, restoreOwnership } from '../../core/devcontainer/devShell';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { errorMessage, type Logger } from '../util/logger';
import type { TrackedRollout } from './agentRegistry';

const EDITING_COMMANDS = new Set(['create', 'str_replace', 'insert', 'undo_edit']);

/**
 * What a rollout in the dev container does to the user's editor: each file the agent edits is
 * shown (the container's repository is the workspace folder), and files it made as root are
 * given back to the user whenever it pauses or ends.
 */
export class EditFollower {
  constructor(
    private readonly log: Logger,
    /** Where edited files open; the panels set it so files never replace the live view. */
    private readonly column: (instanceId: string) => vscode.ViewColumn,
  ) {}

  /** Follows `t` from now on: edits (when `followEdits`), and gives files back at each pause. */
  follow(t: TrackedRollout, followEdits: boolean): void {
    const toolArgs = new Map<string, string>();
    const id = t.ref.instance.instance_id;
    t.session.onCore((e) => {
      if (e.type === 'paused' && t.container) void this.giveBackFiles(t.container, id);
      else if (e.type === 'tool_call') toolArgs.set(e.toolCall.id, e.toolCall.function.arguments);
      else if (e.type === 'observation' && followEdits && t.workspaceDir && e.name === 'str_replace_editor' && !e.error) this.show(t, toolArgs.get(e.toolCallId));
    });
  }

  /** Files the agent made as root in the bind-mounted workspace go back to the user. */
  async giveBackFiles(container: ContainerHandle, id: string): Promise<void> {
    await restoreOwnership(container, currentHostUser()).catch((err: unknown) => this.log.warn(`${id}: giving the agent's files back: ${errorMessage(err)}`));
  }

  /** Shows a file the agent just edited. */
  private show(t: TrackedRollout, rawArgs: string | undefined): void {
    let args: { command?: unknown; path?: unknown };
    try {
      args = JSON.parse(rawArgs ?? '{}') as typeof args;
    } catch {
      return;
    }
    const repoDir = t.session.view.repoDir;
    if (typeof args.path !== 'string' || typeof args.command !== 'string' || !EDITING_COMMANDS.has(args.command)) return;
    const rel = path.posix.relative(repoDir, path.posix.normalize(args.path));
    if (!rel || rel.startsWith('..') || path.posix.isAbsolute(rel)) return;
    const file = vscode.Uri.file(path.join(t.workspaceDir as string, ...rel.split('/')));
    const column = this.column(t.ref.instance.instance_id);
    void vscode.window.showTextDocument(file, { preview: true, preserveFocus: true, viewColumn: column }).then(undefined, (err: unknown) => this.log.debug(`following ${file.fsPath}: ${errorMessage(err)}`));
  }
}
