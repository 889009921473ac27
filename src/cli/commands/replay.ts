import * as path from 'node:path';
import { loadRecordedRows, replayRow } from '../../core/agent/replay';
import type { PathMapping } from '../../core/agent/templates/sweGymPreset';
import { newRunId } from '../../core/harness/runId';
import { cliRuntime, RUNTIME_OPTIONS, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';
import { parseRules } from './eval';

const USAGE = 'swe-gym replay --dataset D --trajectory FILE [--path-map FROM=TO ...] [--row N] [--out DIR] [--no-reward] [--skip-install] [--rules R] [--no-pull] [--json] ' + RUNTIME_USAGE;

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
  const rows = await loadRecordedRows(file);
  const rowIndex = values.row === undefined ? 0 : Number(values.row);
  const row = rows[rowIndex];
  if (!row) throw new UsageError(`${file} has ${rows.length} row(s); --row ${values.row} is not one of them.`);
  const pathMap = (values['path-map'] ?? []).map(parseMapping);
  const runId = newRunId('replay');
  const outDir = path.resolve(values.out ?? 'runs', runId);
  progress(ctx, `Replaying ${row.instance_id} (${row.messages.filter((m) => m.role === 'assistant').length} recorded turns) into ${outDir}`);
  const outcome = await replayRow(cliRuntime(values), dataset, row, {
    pathMap,
    runId,
    trajectoryDir: outDir,
    reward: values['no-reward'] ? false : { skipInstall: values['skip-install'], rules: parseRules(values.rules) },
    allowPull: !values['no-pull'],
    signal: ctx.signal,
    config: { replay_of: file, row: rowIndex, path_map: pathMap },
    onRollout: (r) =>
      r.events.subscribe((e) => {
        if (e.type === 'replay_mismatch') progress(ctx, `step ${e.step}: the observation differs from the recorded one from line ${e.firstDifferentLine}`);
      }),
  });
  const r = outcome.result;
  const report = {
    instance_id: r.instanceId,
    replay_of: row.instance_id,
    exit_reason: r.exitReason,
    steps: r.steps,
    path_map: outcome.mappings,
    observation_mismatches: outcome.mismatches.map((m) => ({ step: m.step, tool_call_id: m.toolCallId, first_different_line: m.firstDifferentLine })),
    patch_matches: outcome.patchMatches,
    recorded_resolved: outcome.recordedResolved,
    resolved: r.resolved,
    reward_matches: outcome.rewardMatches,
    trajectory: r.trajectoryPath ?? null,
  };
  if (values.json) writeJson(ctx, report);
  else {
    ctx.stdout.write(
      [
        `${row.instance_id}: replayed ${r.steps} step(s), ${r.exitReason}`,
        `observations differing from the recording: ${outcome.mismatches.length}${outcome.mismatches.length ? ` (steps ${outcome.mismatches.map((m) => m.step).join(', ')})` : ''}`,
        `patch ${outcome.patchMatches === null ? 'not compared' : outcome.patchMatches ? 'identical to the recorded one' : 'DIFFERS from the recorded one'}`,
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
