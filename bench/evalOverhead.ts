/**
 * Evaluation overhead: the wall time of one full evaluation (fresh container, apply, eval script,
 * grade, remove) minus the bare test command run by `docker exec` in a warm container with the
 * same patches applied, same instance, same run: cold (the grade creates its container) and warm
 * (a never-used container was started ahead, as after a grade in the editor). Also batch
 * throughput at 1 and 2 workers.
 */
import { loadDataset } from '../src/core/dataset/loadDataset';
import { evalContainerSpec, evaluateInstance, warmUpCommand } from '../src/core/harness/evaluateInstance';
import { WarmContainers } from '../src/core/runtime/warmContainers';
import { runEvaluation } from '../src/core/harness/runEvaluation';
import { buildTestCommand } from '../src/core/harness/specs/testDirectives';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { applyCandidatePatch } from '../src/core/patch/applyPatch';
import { loadPredictions } from '../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { gradeScript } from '../src/core/harness/runGrade';
import { normalizePatch } from '../src/core/patch/normalizePatch';
import type { ContainerHandle } from '../src/core/runtime/containerRuntime';
import type { InstanceSpec } from '../src/core/spec/instanceSpec';
import { loadavg } from 'node:os';

const REPS = Number(process.env.BENCH_REPS ?? 5);
/** BENCH_BATCH=0 skips the batch throughput part. */
const BATCH = process.env.BENCH_BATCH !== '0';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const loadBefore = load();
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const id = process.argv[2];
  const inst = ds.instances.find((i) => (id ? i.instance_id === id : (i.test_cmd ?? 'pytest').startsWith('pytest'))) ?? ds.instances[0];
  if (!inst) throw new Error('no sample instance');
  const instSpec = makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false });
  const { image } = await ensureImage(runtime, instSpec.image);

  // Baseline: the bare test command in a warm container (gold and test patch applied once).
  // Bare and full runs alternate so both see the same machine load.
  const warm = await runtime.createContainer({ image, purpose: 'bench' });
  const bare: number[] = [];
  const cmd = buildTestCommand(inst);
  for (const p of [inst.patch, inst.test_patch]) {
    const applied = await applyCandidatePatch(warm, p, 'swe-gym');
    if (!applied.applied) throw new Error(`cannot apply: ${applied.reason}`);
  }
  const bareCpu: number[] = [];
  const bareRun = async () => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    await warm.exec(['/bin/bash', '-c', cmd], { cwd: '/testbed' });
    bare.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    bareCpu.push((used.user + used.system) / 1000);
  };

  // Verdict latency: until the reward is known (teardown deferred, as runEvaluation does);
  // total: until the container is gone too. Every grade sits between two bare runs
  // (bare, cold, bare, warm, bare, ...), and its overhead is also taken against the mean of those
  // two: on a loaded machine that pairing is steadier than the difference of two medians.
  const pool = new WarmContainers(runtime);
  const spec = evalContainerSpec(instSpec, image, {});
  const fresh = () => ({ full: [] as number[], total: [] as number[], paired: [] as number[], hostCpu: [] as number[], phases: {} as Record<string, number[]> });
  const runs = { cold: fresh(), warm: fresh() };
  await bareRun();
  for (let i = 0; i < REPS; i++) {
    for (const kind of ['cold', 'warm'] as const) {
      if (kind === 'warm') {
        // The person reads the verdict and edits: the next container has started by then.
        pool.prepare(spec, { warmUp: warmUpCommand(instSpec) });
        await pool.started();
      }
      let removal: Promise<void> = Promise.resolve();
      const cpu = process.cpuUsage();
      const t = performance.now();
      const r = await evaluateInstance(runtime, instSpec, inst.patch, { warm: kind === 'warm' ? pool : undefined, deferRemoval: (p) => (removal = p) });
      const full = performance.now() - t;
      const used = process.cpuUsage(cpu);
      runs[kind].full.push(full);
      runs[kind].hostCpu.push((used.user + used.system) / 1000);
      await removal;
      runs[kind].total.push(performance.now() - t);
      if (r.status !== 'resolved') throw new Error(`gold did not resolve: ${r.status} ${r.error ?? ''}`);
      for (const [k, v] of Object.entries(r.timings)) (runs[kind].phases[k] ??= []).push(v);
      const before = bare.at(-1) ?? 0;
      await bareRun();
      runs[kind].paired.push(full - (before + (bare.at(-1) ?? 0)) / 2);
    }
  }
  const bareMs = median(bare);
  const profile = await profileSteps(runtime, pool, spec, instSpec, Math.min(REPS, 5));
  await pool.dispose();
  await warm.remove();
  console.log(`load average             ${loadBefore} at the start, ${load()} at the end (1 / 5 / 15 min; 2 cores)`);
  console.log(`instance                 ${inst.instance_id}`);
  console.log(`bare test command       ${bareMs.toFixed(0)} ms (median of ${bare.length}, docker exec in a warm container)`);
  for (const kind of ['cold', 'warm'] as const) {
    const fullMs = median(runs[kind].full);
    const target = kind === 'cold' ? 500 : 150;
    console.log(`${kind} evaluation         ${fullMs.toFixed(0)} ms to the verdict, ${median(runs[kind].total).toFixed(0)} ms until the container is removed (median of ${REPS})`);
    console.log(`${kind} overhead           ${(fullMs - bareMs).toFixed(0)} ms to the verdict, ${(median(runs[kind].total) - bareMs).toFixed(0)} ms with teardown   (target <= ${target} ms)   ratio full/bare ${(fullMs / bareMs).toFixed(2)}x`);
    console.log(`  paired with its bare runs  median ${median(runs[kind].paired).toFixed(0)} ms   (each grade minus the mean of the bare runs just before and after it; all: ${runs[kind].paired.map((x) => x.toFixed(0)).join(' ')})`);
    console.log(`  this process's CPU     ${median(runs[kind].hostCpu).toFixed(1)} ms per grade vs ${median(bareCpu).toFixed(1)} ms per bare run`);
    console.log(`  phases (median ms)    ${Object.entries(runs[kind].phases).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', ')}`);
  }
  console.log(`warm vs cold            ${(median(runs.cold.full) - median(runs.warm.full)).toFixed(0)} ms saved per grade`);
  console.log(`warm grade, step by step (median of ${profile.reps} traced runs of the grade's one exec in a container started ahead; bash's $EPOCHREALTIME per traced command):`);
  for (const [step, ms] of profile.steps) console.log(`  ${step.padEnd(44)} ${ms.toFixed(1)} ms`);
  console.log(`  ${'in the container, all steps'.padEnd(44)} ${profile.inside.toFixed(1)} ms`);
  console.log(`  ${'the exec around them (engine round trips)'.padEnd(44)} ${profile.around.toFixed(1)} ms   (bare test command: one exec too)`);
  const besides = profile.steps.filter(([k]) => !k.startsWith(cmd.slice(0, 40))).reduce((a, [, v]) => a + v, 0);
  console.log(`  ${'steps besides the test command, wall'.padEnd(44)} ${besides.toFixed(1)} ms`);
  console.log(`  ${'steps besides the test command, CPU'.padEnd(44)} ${profile.cpu.toFixed(1)} ms   (the container's cgroup; load does not inflate it)`);
  if (!BATCH) return;

  const gold = await loadPredictions('gold', ds);
  const times: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const t = performance.now();
    const out = await runEvaluation(runtime, ds, gold, { workers, allowPull: false });
    times[workers] = performance.now() - t;
    const resolved = out.results.filter((r) => r.resolved).length;
    console.log(`batch ${workers} worker(s)       ${(times[workers] / 1000).toFixed(2)} s for ${gold.length} gold evaluations (${resolved} resolved), ${((gold.length / times[workers]) * 60000).toFixed(1)} evals/min`);
  }
  console.log(`speed-up 2 vs 1 worker  ${((times[1] ?? 0) / (times[2] ?? 1)).toFixed(2)}x   (target >= 1.6x)`);
}

/**
 * Runs the warm grade's own exec (same script, same stdin) with a timestamp on every traced line,
 * each in a never-used container started ahead, and returns the median time per step.
 */
async function profileSteps(runtime: DockerRuntime, pool: WarmContainers, containerSpec: ReturnType<typeof evalContainerSpec>, spec: InstanceSpec, reps: number): Promise<{ reps: number; steps: [string, number][]; inside: number; around: number; cpu: number }> {
  const patch = Buffer.from(normalizePatch(spec.row.patch) ?? '', 'utf8');
  // The container's CPU (cgroup v1 cpuacct, read by a builtin: no process) at the start, around the
  // test command and at the end: what the steps besides the tests cost, whatever the load.
  const cg = '/sys/fs/cgroup/cpuacct/cpuacct.usage';
  const text = gradeScript(spec.evalScript, spec.applyStrategy, true)
    .replace('exec 2>&1\n', `exec 2>&1\nread -r __c0 < ${cg}; PS4='+ $EPOCHREALTIME '; printf '@ %s patch step\\n' "$EPOCHREALTIME"\n`)
    .replace(`\n: '>>>>> Start Test Output'\n`, `\n{ read -r __c1 < ${cg}; } 2>/dev/null\n: '>>>>> Start Test Output'\n`)
    .replace('{ __swe_gym_tests=$?; } 2>/dev/null', `{ __swe_gym_tests=$?; read -r __c2 < ${cg}; } 2>/dev/null`)
    .replace('\n{ exit "$__swe_gym_tests"; }', `\n{ read -r __c3 < ${cg}; printf 'CPU %s %s %s %s\\n' "$__c0" "$__c1" "$__c2" "$__c3"; } 2>/dev/null\n{ exit "$__swe_gym_tests"; }`);
  if (!text.includes('__c3')) throw new Error('the profile could not be placed in the grade script');
  const cpu: number[] = [];
  const steps = new Map<string, number[]>();
  const inside: number[] = [];
  const around: number[] = [];
  for (let i = 0; i < reps; i++) {
    pool.prepare(containerSpec, { warmUp: warmUpCommand(spec) });
    await pool.started();
    const c = (await pool.take(containerSpec)) as ContainerHandle;
    try {
      const t = performance.now();
      const r = await c.exec(['/bin/bash', '-c', text, '/bin/bash', String(patch.length), 'PROFILE'], { stdin: Buffer.concat([patch, Buffer.from(spec.evalScript.run.testsStdin)]) });
      const wall = performance.now() - t;
      // '@ <t> patch step', then '+ <t> <command>' per traced command (nested ones with '++').
      const marks = [...r.output.matchAll(/^(?:@|\++) (\d+\.\d+) (.*)$/gm)].map((m) => ({ at: Number(m[1]) * 1000, what: stepName(m[2] ?? '') }));
      const end = marks.at(-1)?.at ?? 0;
      for (const [k, m] of marks.entries()) {
        const next = marks[k + 1]?.at ?? end;
        const list = steps.get(m.what) ?? [];
        list[i] = (list[i] ?? 0) + (next - m.at);
        steps.set(m.what, list);
      }
      const u = /^CPU (\d+) (\d+) (\d+) (\d+)$/m.exec(r.output);
      if (u) cpu.push((Number(u[2]) - Number(u[1]) + Number(u[4]) - Number(u[3])) / 1e6);
      inside.push(end - (marks[0]?.at ?? end));
      around.push(wall - (end - (marks[0]?.at ?? end)));
    } finally {
      await c.remove();
    }
  }
  return { reps, steps: [...steps].map(([k, v]) => [k, median(v.map((x) => x ?? 0))] as [string, number]), inside: median(inside), around: median(around), cpu: cpu.length ? median(cpu) : NaN };
}

/** Groups traced commands into the eval script's steps. */
function stepName(command: string): string {
  if (command === 'patch step') return 'read stdin, apply the candidate (git apply)';
  if (/^(source|conda|case|return|export|\. )/.test(command) || command.startsWith('__conda') || command.startsWith('PS1')) return 'env activation (x2)';
  if (command.startsWith('git apply -v -')) return 'test patch (git apply)';
  if (command.startsWith('git checkout')) return 'reset test files (x2)';
  if (command.startsWith(": '>>>>> Start")) return 'start marker';
  if (command.startsWith(": '>>>>> End")) return 'end marker';
  if (/^git (status|show|-c core)/.test(command)) return command.split(' ').slice(0, command.startsWith('git -c') ? 3 : 2).join(' ').replace('git -c core.fileMode=false', 'git diff') + ' (diagnostics)';
  if (/^(cd|git config)/.test(command)) return 'cd, safe.directory';
  return command.slice(0, 40);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
