import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RewardRecord } from '../../../src/core/agent/events';
import { exportRun } from '../../../src/core/trajectory/exportRows';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';

function reward(status: RewardRecord['status'], resolved: boolean, strict: boolean): RewardRecord {
  return { status, resolved, rules: 'swe-gym', strict_resolved: strict, test_output: '', apply_output: '', skipped_install: false, eval_run_id: 'r', duration_ms: 1 };
}

function trajectory(index: number, r: RewardRecord | null): ClosedTrajectory {
  return {
    format: TRAJECTORY_FORMAT, rollout_id: `t-${index}`, run_id: 'run', instance_id: 'swe-gym-studio__confini-7', index, model: 'm', template: 'openhands',
    config: {}, started_at: '', finished_at: '', exit_reason: 'finished', steps: 1, usage: { prompt_tokens: 0, completion_tokens: 0, estimated: false },
    cost_usd: 0, duration_ms: 0,
    messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'fix it' }, { role: 'assistant', content: `rollout ${index}` }],
    tools: [], step_records: [], patch: 'diff --git a/x b/x\n', reward: r, events_file: `t-${index}.jsonl`,
  };
}

// Training data is only as good as this filter: an SFT export holds resolved rollouts and nothing else.
test('export --format sft keeps only resolved rollouts: rewarded but unresolved, errored and unrewarded ones stay out', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-sft-'));
  try {
    const rollouts = [
      trajectory(0, reward('unresolved', false, false)),
      trajectory(1, reward('resolved', true, true)),
      trajectory(2, reward('unresolved', false, true)),
      trajectory(3, reward('error', false, false)),
      trajectory(4, null),
    ];
    for (const t of rollouts) await fs.writeFile(path.join(dir, `${t.rollout_id}.json`), JSON.stringify(t));
    const out = await exportRun(dir, 'sft', { perInstance: 10 });
    const lines = (await fs.readFile(out.file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { messages: { content: string }[] });
    assert.equal(out.written, 1);
    assert.deepEqual(lines.map((l) => l.messages.at(-1)?.content), ['rollout 1']);
    assert.deepEqual(
      out.skipped.map((s) => `${s.id}: ${s.reason}`),
      ['swe-gym-studio__confini-7_0: not resolved', 'swe-gym-studio__confini-7_2: not resolved', 'swe-gym-studio__confini-7_3: not resolved', 'swe-gym-studio__confini-7_4: not rewarded'],
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
