import type { GymServerService } from './gymServerService';
import type { AgentControl } from '../../shared/agentView';
import { AgentSession } from '../agent/agentSession';
import type { AgentService } from '../agent/agentService';
import type { AgentPanel, AgentPanels } from '../agentView/agentPanel';
import type { DatasetStore } from '../datasets/datasetStore';
import { Disposable } from '../util/disposable';

export interface GymLiveViewDeps {
  gym: GymServerService;
  panels: AgentPanels;
  datasets: DatasetStore;
  /** Its run table's gym rows open live while the server has their session. */
  agents?: AgentService;
}

/**
 * A gym session in the agent's live view: the steps an outside client sends appear as they run
 * (thought, action, observation, reward), and the view's Pause, Step and Resume are the session's
 * own controls, so a client's step waits while the person watching holds it. Stop ends the session
 * (its container removed), as Stop Gym Session does.
 */
export class GymLiveViews extends Disposable {
  /** One view session per gym session, so reopening the view shows the same history. */
  private readonly watched = new Map<string, AgentSession>();

  constructor(private readonly d: GymLiveViewDeps) {
    super();
    this.register(
      d.gym.onDidChange(() => {
        // Sessions the server forgot (or a stopped server's) are dropped with their listeners.
        for (const [id, s] of this.watched) {
          if (d.gym.session(id)) continue;
          this.watched.delete(id);
          s.dispose();
        }
      }),
    );
    this.register({ dispose: () => this.watched.forEach((s) => s.dispose()) });
    if (d.agents) {
      const agents = d.agents;
      agents.liveExternal = (row) => (row.external?.via === 'gym' && d.gym.session(row.external.sessionId) ? this.live(row.external.sessionId) : undefined);
      this.register({ dispose: () => (agents.liveExternal = () => undefined) });
    }
  }

  /** Opens (or reveals) the instance's agent view on the session, live. */
  watch(sessionId: string): AgentPanel {
    const gs = this.d.gym.session(sessionId);
    if (!gs) throw new Error(`No gym session ${sessionId} on the running server (it ended and was forgotten, or the server stopped).`);
    const info = gs.info;
    const ref = this.d.datasets.find(info.instance_id);
    if (!ref) throw new Error(`${info.instance_id} is not in a dataset open in VS Code (the session's dataset is ${info.dataset}): add that dataset to watch the session live.`);
    const live = this.live(sessionId);
    const panel = this.d.panels.show(ref);
    panel.show(live);
    return panel;
  }

  /** The view's session of a gym session (made once, so reopening shows the same history). */
  private live(sessionId: string): AgentSession {
    const gs = this.d.gym.session(sessionId);
    if (!gs) throw new Error(`No gym session ${sessionId} on the running server (it ended and was forgotten, or the server stopped).`);
    const info = gs.info;
    let live = this.watched.get(sessionId);
    if (!live) {
      live = AgentSession.live(gs.rollout, {
        instanceId: info.instance_id,
        where: 'own',
        endpoint: `gym session ${sessionId} (${info.client})`,
        rewarded: true,
        external: `gym client ${info.client}`,
        controls: (action) => this.control(sessionId, action),
      });
      this.watched.set(sessionId, live);
      const watching = live;
      void gs.whenEnded().then((r) => watching.setResult(r), () => undefined);
    }
    return live;
  }

  /**
   * The view's controls as the gym's. "Next action" lets the client's next action in and holds it
   * before it runs (resume, then pause at once); stop and cancel end the session.
   */
  private async control(sessionId: string, action: AgentControl): Promise<void> {
    if (action === 'stepToAction') {
      await this.d.gym.control(sessionId, 'resume');
      await this.d.gym.control(sessionId, 'pause');
      return;
    }
    await this.d.gym.control(sessionId, action === 'cancel' ? 'stop' : action);
  }
}
