/**
 * What network isolation and resource limits cost: container create+start (and one exec, so the
 * container is usable) then removal, with Docker's defaults against our policy, in the same run and
 * interleaved so both see the same load. Variants: the default bridge without limits (baseline),
 * the eval policy (own bridge with inter-container traffic off, memory and pids limits), and the
 * dev/agent policy (no network, limits).
 */
import type { ContainerSpec } from '../src/core/runtime/containerRuntime';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const IMAGE = process.env.SWE_GYM_BASE_IMAGE ?? 'swe-gym-studio/base:bookworm-1';
const SESSION = `bench-isolation-${process.pid}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const VARIANTS: { name: string; spec: Partial<ContainerSpec> }[] = [
  // memoryBytes 0 and pidsLimit -1 are Docker's "no limit".
  { name: 'default bridge, no limits (baseline)', spec: { purpose: 'bench', network: 'default', memoryBytes: 0, pidsLimit: -1 } },
  { name: 'eval: own bridge, icc off, limits', spec: { purpose: 'eval' } },
  { name: 'dev/agent: no network, limits', spec: { purpose: 'dev' } },
];

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  // Warm-up: the eval network is created once per engine, not per container.
  await (await runtime.createContainer({ image: IMAGE, purpose: 'eval', sessionId: SESSION })).remove();
  const start: number[][] = VARIANTS.map(() => []);
  const remove: number[][] = VARIANTS.map(() => []);
  for (let i = 0; i < REPS; i++) {
    for (const [v, variant] of VARIANTS.entries()) {
      let t = performance.now();
      const c = await runtime.createContainer({ image: IMAGE, purpose: 'bench', sessionId: SESSION, ...variant.spec });
      await c.exec(['true']);
      start[v]?.push(performance.now() - t);
      t = performance.now();
      await c.remove();
      remove[v]?.push(performance.now() - t);
    }
  }
  const base = median(start[0] ?? []);
  console.log(`image ${IMAGE}, median of ${REPS}, variants interleaved`);
  for (const [v, variant] of VARIANTS.entries()) {
    const s = median(start[v] ?? []);
    console.log(`${variant.name.padEnd(40)} create+start+exec ${s.toFixed(0).padStart(5)} ms  (${(s / base).toFixed(2)}x baseline)   remove ${median(remove[v] ?? []).toFixed(0).padStart(5)} ms`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
