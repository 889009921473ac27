import { SOURCE_FORMATS, type ImportedRun, type SourceFormat } from './importedRun';
import { stepsFromChat, type LooseMessage } from './chatSteps';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../trajectoryTypes';

/** One of our own closed trajectories: a rollout, or a run `swe-gym import --out` wrote. */
export function isOurTrajectory(v: unknown): boolean {
  const t = v as Partial<ClosedTrajectory> | null;
  return !!t && typeof t === 'object' && t.format === TRAJECTORY_FORMAT && Array.isArray(t.messages);
}

/**
 * Our format read back for the step view (Open Trajectories on an import's output folder): an
 * imported run keeps its scaffold, source format, recorded reward and per-step diffs; a rollout of
 * ours shows as SWE-Gym Studio's. Per-step usage and exit codes come from its step records.
 */
export function readOurTrajectory(v: unknown, file: string, entry: number): ImportedRun {
  const t = v as ClosedTrajectory;
  const src = t.imported;
  const parts = stepsFromChat(t.messages as LooseMessage[], { tools: t.tools });
  parts.steps.forEach((s, i) => {
    const rec = t.step_records?.[i];
    if (!rec) return;
    if (rec.prompt_tokens > 0) s.promptTokens = rec.prompt_tokens;
    if (rec.completion_tokens > 0) s.completionTokens = rec.completion_tokens;
    if (rec.cost_usd > 0) s.costUsd = rec.cost_usd;
    s.actions.forEach((a, j) => {
      const code = rec.exit_codes?.[j];
      if (typeof code === 'number') a.exitCode = code;
    });
    if (src?.person_steps?.includes(i + 1)) s.byPerson = true;
    const diff = src?.step_diffs?.[i];
    if (typeof diff === 'string') s.diffAfter = diff;
  });
  const format: SourceFormat = src && (SOURCE_FORMATS as readonly string[]).includes(src.format) ? (src.format as SourceFormat) : 'swe-gym-row';
  return {
    format,
    file,
    entry,
    scaffold: src?.scaffold ?? `SWE-Gym Studio (${t.template})`,
    // The dataset's id with the rollout's index, so the index survives the round trip.
    instanceId: `${t.instance_id}_${t.index}`,
    model: t.model,
    runId: t.run_id,
    exitStatus: src ? src.exit_status : t.exit_reason,
    resolved: t.reward?.resolved ?? src?.resolved ?? null,
    patch: t.patch,
    ...parts,
    repoDir: src?.repo_dir ?? '/testbed',
    tools: t.tools,
    totals: { promptTokens: t.usage?.prompt_tokens, completionTokens: t.usage?.completion_tokens, costUsd: t.cost_usd },
    startedAt: t.started_at,
  };
}
