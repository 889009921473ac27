import type { AgentStats } from '../../shared/agentStats';
import type { InstanceDecoration } from '../tree/instanceTree';
import type { AgentSession } from './agentSession';
import { describeStats, statsTooltip } from './agentStats';

/** An instance's tree row as its agents describe it: a live rollout's step, then the success rate and pass@k. */
export function agentDecoration(live: AgentSession | undefined, stats: AgentStats): InstanceDecoration | undefined {
  const liveText = live ? (live.view.state === 'paused' ? 'agent paused' : `agent step ${live.view.step}`) : undefined;
  const description = [liveText, describeStats(stats)].filter(Boolean).join(' · ') || undefined;
  const tooltip = statsTooltip(stats);
  return description || tooltip ? { description, tooltip } : undefined;
}
