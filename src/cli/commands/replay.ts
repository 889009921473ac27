import * as path from 'node:path';
import type { PathMapping } from '../../core/agent/templates/sweGymPreset';
import { replayTrajectory, summariseReplay, type ReplayReport } from '../../core/replay/replayTrajectory';
import { checkContinueStep, continueFromStep, type ContinueReport } from '../../core/replay/continueFromStep';
import { OpenAIChatProvider } from '../../core/agent/model/openaiProvider';
import { loadReplayable } from '../../core/replay/loadReplayable';
import { newRunId } from '../../core/harness/runId';
import { cliRuntime, RUNTIME_OPTIONS, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';
import { parseRules } from './eval';

const USAGE = [
  'swe-gym replay --dataset D --trajectory FILE (ours, imported, or any format `import` reads) [--path-map FROM=TO ...] [--row N] [--out DIR] [--no-reward] [--skip-install] [--rules R] [--no-pull] [--json] ' + RUNTIME_USAGE,
  '  [--continue-from-step N --continue-with-model M [--base-url U] [--max-steps S] [--temperature T]]',
  'With --continue-with-model the recorded steps 1..N (default: all) are replayed, then the model goes on from there (key from OPENAI_API_KEY);',
  'the report compares the replayed steps only. To continue by hand, use Continue from Step in VS Code (the dev container is the workspace).',
].join('\n');

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
      'continue-from-step': { type: 'string' },
      'continue-with-model': { type: 'string' },
      'base-url': { type: 'string' },
      'max-steps': { type: 'string' },
      temperature: { type: 'string' },
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
  const continueModel = values['continue-with-model'];
  if (!continueModel && (values['continue-from-step'] !== undefined || values['base-url'] !== undefined)) throw new UsageError('--continue-from-step and --base-url go with --continue-with-model M (the model that goes on after step N).');
  const recordedSteps = trajectory.messages.filter((m) => m.role === 'assistant').length;
  const fromStep = values['continue-from-step'] === undefined ? recordedSteps : Number(values['continue-from-step']);
  if (continueModel) {
    try {
      checkContinueStep(trajectory, fromStep);
    } catch (err) {
      throw new UsageError(`--continue-from-step: ${(err as Error).message}`);
    }
  }
  const runId = newRunId(continueModel ? 'continue' : 'replay');
  const outDir = path.resolve(values.out ?? 'runs', runId);
  const recordedTurns = trajectory.messages.filter((m) => m.role === 'assistant').length;
  const source = trajectory.imported ? `${trajectory.imported.scaffold} ` : '';
  progress(ctx, `Replaying ${source}${trajectory.instance_id} (${recordedTurns} recorded turns) into ${outDir}`);
  const common = {
    pathMap,
    runId,
    trajectoryDir: outDir,
    reward: values['no-reward'] ? (false as const) : {},
    skipInstall: values['skip-install'],
    rules: parseRules(values.rules),
    allowPull: !values['no-pull'],
    signal: ctx.signal,
    config: { replay_of: file, row: rowIndex, path_map: pathMap },
  };
  let outcome: ReplayReport | ContinueReport;
  if (continueModel) {
    progress(ctx, `Replaying steps 1..${fromStep}, then ${continueModel} goes on${values['base-url'] ? ` (${values['base-url']})` : ''}`);
    const model = new OpenAIChatProvider({ model: continueModel, baseURL: values['base-url'], apiKey: process.env.OPENAI_API_KEY, temperature: temperatureOf(values.temperature) });
    const maxSteps = values['max-steps'] === undefined ? undefined : Number(values['max-steps']);
    if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) throw new UsageError(`--max-steps takes a whole number of steps after step N, got "${values['max-steps']}"`);
    outcome = await continueFromStep(cliRuntime(values), dataset, trajectory, {
      ...common,
      step: fromStep,
      mode: { by: 'model', model },
      ...(maxSteps ? { budgets: { maxSteps: fromStep + maxSteps } } : {}),
      config: { ...common.config, continued_by: { model: continueModel, base_url: values['base-url'] ?? 'https://api.openai.com/v1' } },
    });
  } else {
    outcome = await replayTrajectory(cliRuntime(values), dataset, trajectory, common);
  }
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
    ...('continuedFrom' in outcome
      ? { continued_from_step: outcome.continuedFrom, continued_by: continueModel, continued_steps: outcome.continuedSteps }
      : {
          patch_matches: outcome.patch?.same ?? null,
          patch_differences: outcome.patch ? { only_recorded: outcome.patch.onlyRecorded, only_replayed: outcome.patch.onlyReplayed } : null,
          reward_matches: outcome.rewardMatches,
        }),
    recorded_resolved: outcome.recordedResolved,
    resolved: r.resolved,
    trajectory: r.trajectoryPath ?? null,
  };
  if (values.json) writeJson(ctx, report);
  else {
    ctx.stdout.write(
      [
        `${report.replay_of}: replayed ${r.steps} step(s), ${r.exitReason}`,
        `steps: ${summariseReplay(outcome)}`,
        ...outcome.steps.filter((s) => s.verdict === 'different').map((s) => `step ${s.step} (${s.tool}) differs:\n${s.diff ?? ''}`),
        'continuedFrom' in outcome
          ? `continued from step ${outcome.continuedFrom} by ${continueModel}: ${outcome.continuedSteps} step(s) of its own`
          : `patch ${outcome.patch === null ? 'not compared' : outcome.patch.same ? 'the same as the recorded one (by changed lines)' : `DIFFERS from the recorded one: ${outcome.patch.onlyRecorded.length} changed line(s) only recorded, ${outcome.patch.onlyReplayed.length} only replayed`}`,
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

function temperatureOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Number(v);
  if (!Number.isFinite(t) || t < 0) throw new UsageError(`--temperature takes a number >= 0, got "${v}"`);
  return t;
}
