import * as vscode from 'vscode';
import type { GymSessionInfo, GymSessionState } from '../../core/gym/gymSession';
import { plural } from '../../shared/plural';
import { Disposable } from '../util/disposable';
import type { GymServerService } from './gymServerService';

export type GymNode = { kind: 'server'; url: string; sessions: number; stopping?: boolean } | { kind: 'session'; info: GymSessionInfo };

const STATE_ICONS: Record<GymSessionState, [string, string?]> = {
  starting: ['loading~spin'],
  ready: ['circle-outline', 'testing.iconQueued'],
  stepping: ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  evaluating: ['beaker', 'charts.blue'],
  ended: ['circle-slash'],
};

/**
 * The live sessions of the gym server: one row per session (instance, client, steps, state),
 * refreshed as the sessions step; pause, step once, resume and stop on each row.
 */
export class GymSessionsView extends Disposable implements vscode.TreeDataProvider<GymNode> {
  private readonly changed = this.register(new vscode.EventEmitter<GymNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly gym: GymServerService) {
    super();
    // Steps come fast from a scripted client: one refresh per 100 ms is enough for eyes.
    this.register(gym.onDidChange(() => (this.pending ??= setTimeout(() => ((this.pending = undefined), this.changed.fire(undefined)), 100))));
    this.register({ dispose: () => clearTimeout(this.pending) });
  }

  getChildren(node?: GymNode): GymNode[] {
    const running = this.gym.running;
    if (!running) return []; // the welcome view offers Start Gym Server
    if (!node) {
      const sessions = this.gym.list();
      return [{ kind: 'server', url: running.url, sessions: sessions.length, stopping: this.gym.isStopping }, ...sessions.map((info): GymNode => ({ kind: 'session', info }))];
    }
    return [];
  }

  getTreeItem(node: GymNode): vscode.TreeItem {
    if (node.kind === 'server') {
      const item = new vscode.TreeItem(node.url.replace(/^http:\/\//, ''), vscode.TreeItemCollapsibleState.None);
      item.id = 'gym-server';
      item.description = node.stopping ? 'gym server · stopping: ending its sessions, removing their containers…' : `gym server · ${node.sessions ? plural(node.sessions, 'session') : 'no sessions yet'}`;
      item.iconPath = node.stopping ? new vscode.ThemeIcon('loading~spin') : new vscode.ThemeIcon('server-environment', new vscode.ThemeColor('charts.green'));
      item.contextValue = 'gymServer';
      const md = new vscode.MarkdownString(`**Gym server** on \`${node.url}\`\n\nClients send \`Authorization: Bearer <token>\` (*Copy Gym Server Token*). HTTP+JSON under \`/v1\`, MCP at \`/mcp\`.`);
      item.tooltip = md;
      return item;
    }
    const s = node.info;
    const item = new vscode.TreeItem(s.instance_id, vscode.TreeItemCollapsibleState.None);
    item.id = `gym-session-${s.session_id}`;
    const outcome = s.resolved === null ? '' : s.resolved ? ' · resolved' : ' · not resolved';
    // Narrow side bars cut the end: the live figures first, the client after them.
    item.description = `${plural(s.steps, 'step')} · ${s.state}${s.step_waiting ? ' (a step waits)' : ''}${outcome} · ${s.client}`;
    const [icon, color] = STATE_ICONS[s.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    // A click opens the session in the agent's live view (steps as they run, Pause / Step there).
    item.command = { command: 'sweGym.gym.watchSession', title: 'Watch Gym Session Live', arguments: [s.session_id] };
    item.contextValue = s.state === 'ended' ? 'gymSession.ended' : s.state === 'paused' ? 'gymSession.paused' : 'gymSession.running';
    item.tooltip = new vscode.MarkdownString(
      [
        `**${s.instance_id}** (${s.dataset})`,
        `session \`${s.session_id}\``,
        `client: ${s.client}; model: ${s.model}`,
        `${plural(s.steps, 'step')}, ${s.state}${s.ended_reason ? ` (${s.ended_reason})` : ''}`,
        `started ${new Date(s.created_at).toLocaleTimeString()}, last request ${new Date(s.last_activity_at).toLocaleTimeString()}`,
      ].join('\n\n'),
    );
    return item;
  }
}
