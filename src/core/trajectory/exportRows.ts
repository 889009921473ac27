import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatMessage, ToolSchema } from '../agent/chatTypes';
import { toTextMessages } from '../agent/model/textToolCalls';
import type { Prediction } from '../predictions/loadPredictions';
import { loadClosedTrajectory } from './readTrajectory';
import type { ClosedTrajectory } from './trajectoryTypes';
import { SELECTION_FILE } from '../verifier/bestOfN';

/** A row of SWE-Gym's sampled trajectories (OpenHands-Sampled-Trajectories). */
export interface SweGymRow {
  instance_id: string;
  run_id: string;
  resolved: boolean;
  messages: ChatMessage[];
  tools: ToolSchema[];
  test_result: {
    git_patch: string;
    apply_patch_output: string;
    test_output: string;
    report: { empty_generation: boolean; resolved: boolean; failed_apply_patch: boolean; error_eval: boolean; test_timeout: boolean };
  };
}

export type ExportFormat = 'swe-gym' | 'sft' | 'predictions';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['swe-gym', 'sft', 'predictions'];

export function toSweGymRow(t: ClosedTrajectory): SweGymRow {
  const patch = t.patch ?? '';
  const reward = t.reward;
  const status = reward?.status;
  const applied = status !== undefined && status !== 'patch_apply_failed' && status !== 'empty_patch';
  // An imported run not graded here keeps what its file says (a SWE-Gym row exports as it came).
  const resolved = reward?.resolved ?? t.imported?.resolved ?? false;
  return {
    instance_id: `${t.instance_id}_${t.index}`,
    run_id: t.run_id,
    resolved,
    // Rows carry '' rather than null for an assistant turn that only calls a tool.
    messages: t.messages.map((m) => (m.role === 'assistant' && m.content === null ? { ...m, content: '' } : m)),
    tools: t.tools,
    test_result: {
      git_patch: patch,
      apply_patch_output: !patch.trim() || !reward ? '' : `${reward.apply_output.trimEnd()}\n${applied ? 'APPLY_PATCH_PASS' : 'APPLY_PATCH_FAIL'}`,
      test_output: reward?.test_output ?? '',
      report: {
        empty_generation: !patch.trim(),
        resolved,
        failed_apply_patch: status === 'patch_apply_failed',
        error_eval: !reward || status === 'error',
        test_timeout: status === 'timeout',
      },
    },
  };
}

/** SWE-Gym's SFT form: the conversation with tool calls and results written as text. */
export function toSftLine(t: ClosedTrajectory): { messages: ChatMessage[] } {
  return { messages: toTextMessages(t.messages, t.tools) };
}

export function toPrediction(t: ClosedTrajectory): Prediction {
  return { instance_id: t.instance_id, model_name_or_path: t.model, model_patch: t.patch };
}

/** Files a run folder may hold beside its trajectories: the run's own, an annotator's answers and campaign. */
// selection.json: the verifier's scores (`swe-gym select`) beside the trajectories it scored.
const NOT_TRAJECTORIES: ReadonlySet<string> = new Set(['run.json', 'summary.json', 'annotations.json', 'campaign.json', SELECTION_FILE]);

/** The closed trajectories of a run folder (sorted by instance, then rollout), and the logs never closed. */
export async function listRunTrajectories(runDir: string): Promise<{ trajectories: ClosedTrajectory[]; unclosed: string[] }> {
  let names: string[];
  try {
    names = await fs.readdir(runDir);
  } catch (err) {
    throw new Error(`Cannot read the run folder ${runDir}: ${(err as Error).message}`);
  }
  const trajectories: ClosedTrajectory[] = [];
  const closed = new Set<string>();
  for (const name of names.filter((n) => n.endsWith('.json') && !NOT_TRAJECTORIES.has(n))) {
    const t = await loadClosedTrajectory(path.join(runDir, name));
    trajectories.push(t);
    closed.add(t.events_file);
  }
  const unclosed = names.filter((n) => n.endsWith('.jsonl') && !closed.has(n)).map((n) => path.join(runDir, n));
  trajectories.sort((a, b) => a.instance_id.localeCompare(b.instance_id) || a.index - b.index);
  return { trajectories, unclosed };
}

export interface ExportOutcome {
  file: string;
  written: number;
  /** Trajectories left out, with why (not resolved, over the per-instance cap, ...). */
  skipped: { id: string; reason: string }[];
  unclosed: string[];
}

/**
 * Writes one export of a run as JSON Lines:
 * - `swe-gym`: every rollout as a SWE-Gym sampled-trajectory row;
 * - `sft`: resolved rollouts only, at most `perInstance` per instance (default 1), tool calls as text;
 * - `predictions`: one SWE-bench prediction per instance, from rollout `index` (default the first).
 */
export async function exportRun(
  runDir: string,
  format: ExportFormat,
  options: { perInstance?: number; index?: number; outFile?: string; /** Keep demonstrations that saw the gold patch or the test names (flagged). */ includeRevealed?: boolean } = {},
): Promise<ExportOutcome> {
  const { trajectories, unclosed } = await listRunTrajectories(runDir);
  const skipped: ExportOutcome['skipped'] = [];
  const lines: unknown[] = [];
  const perInstance = new Map<string, number>();
  const cap = options.perInstance ?? (format === 'sft' ? 1 : Number.POSITIVE_INFINITY);
  const predicted = new Set<string>();
  for (const t of trajectories) {
    const id = `${t.instance_id}_${t.index}`;
    const revealed = t.demonstration?.reveals.map((r) => r.what) ?? [];
    if (revealed.length && !options.includeRevealed) {
      skipped.push({ id, reason: 'saw the gold patch or the test names' });
      continue;
    }
    if (format === 'predictions') {
      const wanted = options.index ?? Math.min(...trajectories.filter((x) => x.instance_id === t.instance_id).map((x) => x.index));
      if (t.index !== wanted) continue;
      // SWE-bench takes one prediction per instance (imported runs of several scaffolds can share an index).
      if (predicted.has(t.instance_id)) {
        skipped.push({ id, reason: `another run of ${t.instance_id} with index ${t.index} is the prediction` });
        continue;
      }
      predicted.add(t.instance_id);
      lines.push(toPrediction(t));
      continue;
    }
    if (format === 'sft' && !t.reward?.resolved) {
      skipped.push({ id, reason: t.reward ? 'not resolved' : t.imported ? `not graded here (its file says ${t.imported.resolved === null ? 'nothing' : t.imported.resolved ? 'resolved' : 'not resolved'}; \`swe-gym replay\` grades it)` : 'not rewarded' });
      continue;
    }
    const n = perInstance.get(t.instance_id) ?? 0;
    if (n >= cap) {
      skipped.push({ id, reason: `over the cap of ${cap} per instance` });
      continue;
    }
    perInstance.set(t.instance_id, n + 1);
    const line = format === 'sft' ? toSftLine(t) : toSweGymRow(t);
    lines.push(revealed.length ? { ...line, revealed } : line);
  }
  const file = options.outFile ?? path.join(runDir, 'exports', `${format}.jsonl`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Never written through a link left at the export's name.
  const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, 0o644).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ELOOP' ? `${file} is a symbolic link; the export is not written through it.` : `Cannot write ${file}: ${err.message}`);
  });
  try {
    await handle.writeFile(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
  } finally {
    await handle.close();
  }
  return { file, written: lines.length, skipped, unclosed };
}
