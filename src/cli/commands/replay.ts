import * as path from 'node:path';
import type { PathMapping } from '../../core/agent/templates/sweGymPreset';
import { replayTrajectory, summariseReplay } from '../../core/replay/replayTrajectory';
import { loadReplayable } from '../../core/replay/loadReplayable';
import { newRunId } from '../../core/harness/runId';
import { cliRuntime, RUNTIME_OPTIONS, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';
import { parseRules } from './eval';

const USAGE = 'swe-gym replay --dataset D --trajectory FILE (ours, imported, or any format `import` reads) [--path-map FROM=TO ...] [--row N] [--out DIR] [--no-reward] [--skip-install] [--rules R] [--no-pull] [--json] ' + RUNTIME_USAGE;

export async function replayCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    ctx.argv,
    {
      ...RUNTIME_OPTIONS,
      dataset: { type: 'string' },
      trajectory: { type: 'string' },
      'path-map': { type: 'string', multiple: true },
      row: { type: 'string' },
      out: { type: 'string' },
      'no-reward': { type: 'boolean' },
      'skip-install': { type: 'boolean' },
      rules: { type: 'string' },
      'no-pull': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const file = path.resolve(requireOption(values.trajectory, 'trajectory', USAGE));
  const rowIndex = values.row === undefined ? 0 : Number(values.row);
  const trajectory = await loadReplayable(file, dataset, rowIndex).catch((err: Error) => {
    throw new UsageError(err.message);
  });
  const pathMap = (values['path-map'] ?? []).map(parseMapping);
  const runId = newRunId('replay');
  const outDir = path.resolve(values.out ?? 'runs', runId);
  const recordedTurns = trajectory.messages.filter((m) => m.role === 'assistant').length;
  const source = trajectory.imported ? `${trajectory.imported.scaffold} ` : '';
  progress(ctx, `Replaying ${source}${trajectory.instance_id} (${recordedTurns} recorded turns) into ${outDir}`);
  const outcome = await replayTrajectory(cliRuntime(values), dataset, trajectory, {
    pathMap,
    runId,
    trajectoryDir: outDir,
    reward: values['no-reward'] ? false : {},
    skipInstall: values['skip-install'],
    rules: parseRules(values.rules),
    allowPull: !values['no-pull'],
    signal: ctx.signal,
    config: { replay_of: file, row: rowIndex, path_map: pathMap },
  });
  const r = outcome.result;
  const report = {
    instance_id: r.instanceId,
    replay_of: trajectory.imported?.source_instance_id || `${trajectory.instance_id}_${trajectory.index}`,
    source_format: trajectory.imported?.format ?? null,
    exit_reason: r.exitReason,
    steps: r.steps,
    path_map: outcome.pathMap,
    step_verdicts: outcome.steps.map((s) => ({ step: s.step, tool_call_id: s.toolCallId, tool: s.tool, verdict: s.verdict, noise: s.noise, ...(s.diff ? { diff: s.diff } : {}) })),
    counts: outcome.counts,
    first_divergence: outcome.firstDivergence,
    observation_mismatches: outcome.steps.filter((s) => s.verdict === 'different').map((m) => ({ step: m.step, tool_call_id: m.toolCallId })),
    patch_matches: outcome.patch?.same ?? null,
    patch_differences: outcome.patch ? { only_recorded: outcome.patch.onlyRecorded, only_replayed: outcome.patch.onlyReplayed } : null,
    recorded_resolved: outcome.recordedResolved,
    resolved: r.resolved,
    reward_matches: outcome.rewardMatches,
    trajectory: r.trajectoryPath ?? null,
  };
  if (values.json) writeJson(ctx, report);
  else {
    ctx.stdout.write(
      [
        `${report.replay_of}: replayed ${r.steps} step(s), ${r.exitReason}`,
        `steps: ${summariseReplay(outcome)}`,
        ...outcome.steps.filter((s) => s.verdict === 'different').map((s) => `step ${s.step} (${s.tool}) differs:\n${s.diff ?? ''}`),
        `patch ${outcome.patch === null ? 'not compared' : outcome.patch.same ? 'the same as the recorded one (by changed lines)' : `DIFFERS from the recorded one: ${outcome.patch.onlyRecorded.length} changed line(s) only recorded, ${outcome.patch.onlyReplayed.length} only replayed`}`,
        `reward: ${r.resolved === null ? 'not computed' : r.resolved ? 'resolved' : 'unresolved'} (recorded: ${outcome.recordedResolved === null ? 'unknown' : outcome.recordedResolved ? 'resolved' : 'unresolved'})`,
        `trajectory: ${r.trajectoryPath ?? '(not written)'}`,
        '',
      ].join('\n'),
    );
  }
  return r.exitReason === 'finished' || r.exitReason === 'replay_exhausted' || r.exitReason === 'max_steps' ? 0 : 1;
}

function parseMapping(v: string): PathMapping {
  const i = v.indexOf('=');
  if (i <= 0 || i === v.length - 1) throw new UsageError(`--path-map takes FROM=TO (e.g. /workspace/python__mypy__1.6=/testbed), got "${v}"`);
  return { from: v.slice(0, i), to: v.slice(i + 1) };
}
