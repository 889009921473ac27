import { commandRegistrar } from '../util/commandRegistrar';
import * as vscode from 'vscode';
import type { Logger } from '../util/logger';
import type { GymLiveViews } from './gymLiveView';
import type { GymServerService, GymSessionAction } from './gymServerService';
import type { GymNode } from './gymSessionsView';

export interface GymCommandDeps {
  gym: GymServerService;
  /** Opens a session in the agent's live view. */
  live: GymLiveViews;
  log: Logger;
  /** Messages shown to the user, newest last (shared with the other commands). */
  notices: string[];
}

/** A session id from a tree row (menus) or a string (scripts, tests). */
function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as GymNode | undefined;
  return node?.kind === 'session' ? node.info.session_id : undefined;
}

/** The sweGym.gym.* commands: start/stop the server, its token and URL, and each session's controls. */
export function registerGymCommands({ gym, live, log, notices }: GymCommandDeps): vscode.Disposable[] {
  const command = commandRegistrar({ notices, log }, 'Gym command');

  const session = (action: GymSessionAction) => async (arg?: unknown) => {
    const id = sessionIdOf(arg);
    if (!id) throw new Error('Pick a session in the Gym Sessions view.');
    const info = await gym.control(id, action);
    return info ? { state: info.state, steps: info.steps } : { state: 'stopped' };
  };

  return [
    command('sweGym.gym.start', async (options?: { port?: number; quiet?: boolean }) => {
      const port = typeof options?.port === 'number' ? options.port : undefined;
      const server = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Starting the gym server' }, () => gym.start(port));
      void vscode.commands.executeCommand('sweGym.gymSessions.focus');
      if (!options?.quiet) {
        // The token is handed out on request only (clipboard), never printed.
        void vscode.window.showInformationMessage(`Gym server on ${server.url}. Clients send "Authorization: Bearer <token>"; trajectories go to ${server.runDir}.`, 'Copy URL', 'Copy Token').then(async (pick) => {
          if (pick === 'Copy URL') await vscode.env.clipboard.writeText(server.url);
          if (pick === 'Copy Token') await vscode.env.clipboard.writeText(await gym.token());
        });
      }
      return { url: server.url, port: server.port, runDir: server.runDir };
    }),
    command('sweGym.gym.stop', async () => {
      if (!gym.running) return false;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Stopping the gym server: ending its sessions and removing their containers' }, () => gym.stop());
      return true;
    }),
    command('sweGym.gym.copyToken', async () => {
      await vscode.env.clipboard.writeText(await gym.token());
      void vscode.window.showInformationMessage('The gym server token is on the clipboard.');
      return true;
    }),
    command('sweGym.gym.newToken', async () => {
      await gym.rotateToken();
      void vscode.window.showInformationMessage(gym.running ? 'A new token is made; the running server keeps the old one until it is restarted.' : 'A new token is made; the next gym server uses it.');
      return true;
    }),
    command('sweGym.gym.copyUrl', async () => {
      if (!gym.running) throw new Error('The gym server is not running.');
      await vscode.env.clipboard.writeText(gym.running.url);
      return gym.running.url;
    }),
    command('sweGym.gym.pauseSession', session('pause')),
    command('sweGym.gym.stepSession', session('step')),
    command('sweGym.gym.resumeSession', session('resume')),
    command('sweGym.gym.stopSession', session('stop')),
    command('sweGym.gym.watchSession', (arg?: unknown) => {
      const id = sessionIdOf(arg);
      if (!id) throw new Error('Pick a session in the Gym Sessions view.');
      const panel = live.watch(id);
      return { rolloutId: panel.shown?.rolloutId };
    }),
  ];
}
