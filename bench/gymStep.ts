/**
 * Gym server benchmarks, on the textkit sample, the client a real HTTP client (fetch) on loopback:
 *
 * 1. Step overhead: a client's step (HTTP request to JSON answer) minus the tool's own time (the
 *    rollout's tool call received to observation ready), median over many `true` and editor views.
 *    Baselines measured in the same run: one bare `docker exec true` round trip in a warm
 *    container, and the same call straight on the session's rollout (no HTTP).
 * 2. 8 sessions at once on the 2-core machine: time to open them all, then every session steps
 *    concurrently; the step latency under that load and the wall time.
 *
 *   npx tsc -p tsconfig.test.json && node out/bench/gymStep.js [--quick]
 */
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { GymSessions } from '../src/core/gym/gymSessions';
import { startGymHttpServer } from '../src/core/gym/httpServer';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';

const QUICK = process.argv.includes('--quick');
const STEPS = QUICK ? 20 : 60;
const CONCURRENT = Number(process.env.BENCH_GYM_SESSIONS ?? 8);
const INSTANCE = 'swe-gym-studio__textkit-12';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? 0;
const f = (n: number) => n.toFixed(1);
/** A ratio with two significant digits below 1 (0.034x, not 0.0x), one decimal above. */
const ratio = (n: number) => (n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2));
/** The 1, 5 and 15 minute load on this machine's cores: the figures mean little without it. */
const load = () => `load ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`;

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === INSTANCE);
  if (!inst) throw new Error('textkit sample missing');
  const { image } = await ensureImage(runtime, makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false }).image);
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-bench-gym-'));
  const sessions = new GymSessions({ runtime, outDir: out, allowPull: false, maxSessions: CONCURRENT + 1, maxSteps: STEPS + 100 });
  const server = await startGymHttpServer({ sessions, port: 0 });
  // A keep-alive node:http client, as scaffolds use (requests.Session, httpx): Node 20's fetch
  // adds about 40 ms per request on loopback here, which would measure undici, not the gym.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENT + 2 });
  const request = (method: string, p: string, body?: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(server.url + p, { method, agent, headers: { 'Content-Type': 'application/json', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${p}: ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  const post = (p: string, body: unknown) => request('POST', p, body);
  try {
    // Baseline: a bare docker exec round trip in a warm container of the same image.
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

    const healthMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await request('GET', '/v1/health');
      healthMs.push(performance.now() - t);
    }

    // 1. One session, steps one after another.
    const created = await post('/v1/sessions', { dataset: 'samples', instance_id: INSTANCE });
    const id = String(created.session_id);
    const session = sessions.get(id);
    const toolMs = new Map<string, number>();
    session.rollout.events.subscribe((e) => {
      if (e.type === 'observation') toolMs.set(e.toolCallId, e.durationMs);
    });
    const overhead: Record<string, number[]> = { bash: [], view: [] };
    const roundTrip: Record<string, number[]> = { bash: [], view: [] };
    let call = 0;
    for (let i = 0; i < STEPS; i++) {
      const kind = i % 3 === 2 ? 'view' : 'bash';
      const body = kind === 'bash' ? { name: 'execute_bash', arguments: { command: 'true' } } : { name: 'str_replace_editor', arguments: { command: 'view', path: '/testbed/textkit/align.py', view_range: [1, 20] } };
      const t = performance.now();
      await post(`/v1/sessions/${id}/step`, body);
      const total = performance.now() - t;
      const tool = toolMs.get(`call_${++call}`) ?? NaN;
      roundTrip[kind]?.push(total);
      overhead[kind]?.push(total - tool);
    }
    // The same tool calls straight on the session (no HTTP, no JSON): what the transport adds.
    const direct: number[] = [];
    for (let i = 0; i < Math.min(20, STEPS); i++) {
      const t = performance.now();
      await session.step('execute_bash', { command: 'true' });
      direct.push(performance.now() - t);
    }
    await request('DELETE', `/v1/sessions/${id}`);
    const bashTool = median(roundTrip.bash ?? []) - median(overhead.bash ?? []);
    const exec = median(execMs);
    const gymBash = median(roundTrip.bash ?? []);
    const gymOverhead = median(overhead.bash ?? []);
    process.stdout.write(
      [
        `Gym step overhead (${STEPS} steps, ${INSTANCE}, loopback HTTP + JSON; ${load()}):`,
        `  execute_bash \`true\`: client round trip median ${f(median(roundTrip.bash ?? []))} ms; the tool itself ${f(bashTool)} ms; overhead (round trip - tool) median ${f(median(overhead.bash ?? []))} ms, p90 ${f(p90(overhead.bash ?? []))} ms (target < 20 ms)`,
        `  editor view: client round trip median ${f(median(roundTrip.view ?? []))} ms; overhead median ${f(median(overhead.view ?? []))} ms, p90 ${f(p90(overhead.view ?? []))} ms`,
        `  the same bash step called on the session in-process (no HTTP, no JSON): median ${f(median(direct))} ms`,
        `  an HTTP round trip with no work (GET /v1/health): median ${f(median(healthMs))} ms`,
        // The session's shell is already running, so a whole gym step is cheaper than one bare exec:
        // the figure that says what the gym adds is its overhead as a share of that exec.
        `  baseline, same run: a bare \`docker exec true\` round trip: median ${f(exec)} ms`,
        `    a whole gym bash step (${f(gymBash)} ms) is ${ratio(gymBash / exec)}x a bare exec (${ratio(exec / gymBash)}x faster: no exec per step, the session's shell is already running)`,
        `    the gym's overhead (${f(gymOverhead)} ms) is ${ratio(gymOverhead / exec)}x a bare exec, ${f((100 * gymOverhead) / exec)} % of it`,
        '',
      ].join('\n'),
    );

    // 2. Many sessions at once.
    let t = performance.now();
    const ids = (await Promise.all(Array.from({ length: CONCURRENT }, () => post('/v1/sessions', { dataset: 'samples', instance_id: INSTANCE })))).map((s) => String(s.session_id));
    const openMs = performance.now() - t;
    const lat: number[] = [];
    const perSession = QUICK ? 5 : 15;
    t = performance.now();
    await Promise.all(
      ids.map(async (sid, n) => {
        for (let i = 0; i < perSession; i++) {
          const s = performance.now();
          await post(`/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: i % 2 ? `echo ${n}-${i} >> /tmp/steps.txt` : 'git status --short' } });
          lat.push(performance.now() - s);
        }
      }),
    );
    const stepWall = performance.now() - t;
    await Promise.all(ids.map((sid) => request('DELETE', `/v1/sessions/${sid}`)));
    process.stdout.write(
      [
        `${CONCURRENT} sessions at once (${load()}): opened in ${f(openMs / 1000)} s (${f(openMs / CONCURRENT)} ms per session)`,
        `  ${ids.length * perSession} steps, every session stepping at once: ${f(stepWall / 1000)} s wall, step latency median ${f(median(lat))} ms, p90 ${f(p90(lat))} ms; ${f((ids.length * perSession) / (stepWall / 1000))} steps/s`,
        '',
      ].join('\n'),
    );
  } finally {
    agent.destroy();
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
