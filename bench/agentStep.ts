/**
 * Agent benchmarks, on the textkit sample with the scripted chat-completions server in place of a
 * model (no LLM runs here):
 *
 * 1. Step overhead: from the tool call received to the observation ready, minus the command's own
 *    time (pty write to prompt), median over many bash steps; also editor calls (all overhead:
 *    they are our own file I/O) and the loop's whole turnaround (model answer received to the next
 *    request sent, trajectory write and fsync included). Baseline measured in the same run: one
 *    `docker exec true` round trip, what a tool call would cost without the persistent session.
 * 2. Throughput: 4 rollouts (each rewarded by the hidden tests) on 2 workers vs 1 worker, with a
 *    simulated model latency per turn (BENCH_MODEL_MS, default 400 ms: fast for a real model).
 *
 *   npx tsc -p tsconfig.test.json && node out/bench/agentStep.js [--quick]
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AgentRollout } from '../src/core/agent/agentRollout';
import { OpenAIChatProvider } from '../src/core/agent/model/openaiProvider';
import { runRollouts } from '../src/core/agent/runRollouts';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeReply } from '../test/support/fakeOpenAIServer';

const QUICK = process.argv.includes('--quick');
const STEPS = QUICK ? 20 : 60;
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 400);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? 0;
const f = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  if (!inst) throw new Error('textkit sample missing');
  const spec = makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false });
  const { image } = await ensureImage(runtime, spec.image);
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-bench-agent-'));
  try {
    // Baseline: a docker exec round trip in a warm container.
    const warm = await runtime.createContainer({ image, purpose: 'bench' });
    const execMs: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await warm.exec(['true']);
        execMs.push(performance.now() - t);
      }
    } finally {
      await warm.remove();
    }

    // 1. Step overhead.
    const commands = ['true', 'ls', 'echo "$PWD"', 'git status --short', 'python -c "print(42)"'];
    const script: FakeReply[] = [];
    for (let i = 0; i < STEPS; i++) {
      script.push(
        i % 3 === 2
          ? { toolCalls: [{ name: 'str_replace_editor', arguments: { command: 'view', path: '/testbed/textkit/align.py', view_range: [1, 20] } }] }
          : { toolCalls: [{ name: 'execute_bash', arguments: { command: commands[i % commands.length] ?? 'true' } }] },
      );
    }
    script.push({ toolCalls: [{ name: 'finish', arguments: {} }] });
    const server = await startFakeOpenAIServer(byTurn(script));
    const bashOverhead: number[] = [];
    const bashCommand: number[] = [];
    const editorTotal: number[] = [];
    const turnaround: number[] = [];
    try {
      const rollout = new AgentRollout({ runtime, spec, reward: false, trajectoryDir: out, budgets: { maxSteps: STEPS + 5 }, model: new OpenAIChatProvider({ model: 'bench', baseURL: server.baseURL }) });
      let callAt = 0;
      let answeredAt = 0;
      let lastCommandMs = 0;
      rollout.events.subscribe((e) => {
        const now = performance.now();
        if (e.type === 'model_response') answeredAt = now;
        if (e.type === 'model_request' && answeredAt) turnaround.push(now - answeredAt - lastCommandMs);
        if (e.type === 'tool_call') callAt = now;
        if (e.type === 'observation' && e.name !== 'finish') {
          lastCommandMs = e.commandMs;
          if (e.name === 'execute_bash') {
            bashOverhead.push(now - callAt - e.commandMs);
            bashCommand.push(e.commandMs);
          } else editorTotal.push(now - callAt);
        }
      });
      const result = await rollout.run();
      if (result.exitReason !== 'finished') throw new Error(`bench rollout ended with ${result.exitReason}: ${result.message}`);
    } finally {
      await server.close();
    }
    process.stdout.write(
      [
        `Agent step overhead (${bashOverhead.length} bash steps, ${editorTotal.length} editor steps, textkit sample):`,
        `  bash: tool call received -> observation ready, minus the command's own time: median ${f(median(bashOverhead))} ms, p90 ${f(p90(bashOverhead))} ms (target <= 50 ms)`,
        `        the commands' own time (pty round trip included): median ${f(median(bashCommand))} ms`,
        `  editor view: tool call -> observation (all of it our file I/O): median ${f(median(editorTotal))} ms, p90 ${f(p90(editorTotal))} ms`,
        `  loop turnaround: model answer received -> next request sent, minus command time (events, trajectory write + fsync): median ${f(median(turnaround))} ms`,
        `  baseline, same run: one \`docker exec true\` round trip: median ${f(median(execMs))} ms; a bash step's whole tool time is ${f(median(bashCommand) + median(bashOverhead))} ms (${f(median(execMs) / Math.max(0.1, median(bashCommand) + median(bashOverhead)))}x faster than an exec per command)`,
        '',
      ].join('\n'),
    );

    // 2. Throughput, 4 rewarded rollouts.
    const solve = solveScript(inst.patch).map((r) => ({ ...r, delayMs: MODEL_MS }) as FakeReply);
    const wall: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const s = await startFakeOpenAIServer(byTurn(solve));
      try {
        const t = performance.now();
        const outcome = await runRollouts(runtime, ds, { instances: [inst], n: 4, workers, outDir: out, modelFactory: () => new OpenAIChatProvider({ model: 'bench', baseURL: s.baseURL }), allowPull: false, reward: {} });
        wall[workers] = performance.now() - t;
        const resolved = outcome.results.filter((r) => r.resolved).length;
        process.stdout.write(`4 rollouts on ${workers} worker(s): ${f((wall[workers] ?? 0) / 1000)} s wall, ${resolved}/4 resolved\n`);
      } finally {
        await s.close();
      }
    }
    process.stdout.write(`speed-up 2 workers vs 1: ${f((wall[1] ?? 0) / (wall[2] ?? 1))}x (target >= 1.6x; simulated model latency ${MODEL_MS} ms per turn, 2 cores)\n`);
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
