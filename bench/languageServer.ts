/**
 * The in-container Python language server (pyright run by the mounted Node, over exec stdio):
 * time from starting the server to the first diagnostics of an opened file, and hover /
 * definition latency (p50, p95), on the mypy-sized bench repository (12,000 files) and on the
 * largest sample, against the same pyright run on the host over a copy of the same tree,
 * measured in the same run. Targets: first diagnostics < 10 s, hover and definition p95 < 300 ms.
 * The host server has the host's python3 (no pytest): its answers for image-only packages are
 * empty, which is the reason the server runs in the container; its speed is the baseline.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { ensureImage } from '../src/core/images/ensureImage';
import { largeRepoInstance } from './fixtures/largeRepoInstance';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { execStdio } from '../src/core/languageServer/execStdio';
import { artifactsBind, findInterpreter, serverCommand, serverSettings } from '../src/core/languageServer/serverLaunch';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { testArtifacts } from '../test/support/languageServer';
import { LspClient } from '../test/support/lspClient';

const REPS = Number(process.env.BENCH_REPS ?? 40);
const FIXTURES = path.resolve(__dirname, '..', '..', 'bench', 'fixtures');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

/** A file that uses the stdlib, an image-only package and the repository itself. */
function probeFile(localImport: string, localCall: string): string {
  return ['import os', 'import pytest', localImport, '', '', 'def probe(path: str) -> str:', '    value = os.path.join(path, "x")', '    with pytest.raises(ValueError):', `        ${localCall}`, '    wrong: int = value', '    return value', ''].join('\n');
}

interface Figures {
  firstDiagnosticsMs: number;
  hover: number[];
  definition: number[];
}

async function measure(client: LspClient, root: string, probe: string, started: number): Promise<Figures> {
  await client.initialize(root);
  const uri = `${root}/bench_probe.py`;
  await client.open(uri, probe);
  await client.waitForDiagnostics(uri, (d) => d.length > 0, 120_000);
  const firstDiagnosticsMs = Date.now() - started;
  const lines = probe.split('\n');
  const spots = [
    [6, lines[6]!.indexOf('join') + 1],
    [7, lines[7]!.indexOf('raises') + 1],
    [8, lines[8]!.indexOf('(') - 2],
  ] as const;
  const hover: number[] = [];
  const definition: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const [line, ch] = spots[i % spots.length]!;
    let t = performance.now();
    await client.request('textDocument/hover', uri, line, ch);
    hover.push(performance.now() - t);
    t = performance.now();
    await client.request('textDocument/definition', uri, line, ch);
    definition.push(performance.now() - t);
  }
  return { firstDiagnosticsMs, hover, definition };
}

function report(label: string, c: Figures, h: Figures): void {
  const f = (x: number) => `${Math.round(x)} ms`;
  console.log(`${label}`);
  console.log(`  first diagnostics: container ${f(c.firstDiagnosticsMs)}, host ${f(h.firstDiagnosticsMs)} (x${(c.firstDiagnosticsMs / h.firstDiagnosticsMs).toFixed(2)}; target < 10 s: ${c.firstDiagnosticsMs < 10_000 ? 'met' : 'MISSED'})`);
  for (const k of ['hover', 'definition'] as const) {
    const p95 = pct(c[k], 95);
    console.log(`  ${k}: container p50 ${f(pct(c[k], 50))} p95 ${f(p95)}, host p50 ${f(pct(h[k], 50))} p95 ${f(pct(h[k], 95))} (p95 x${(p95 / Math.max(1, pct(h[k], 95))).toFixed(2)}; target p95 < 300 ms: ${p95 < 300 ? 'met' : 'MISSED'})`);
  }
}

async function run(runtime: DockerRuntime, label: string, image: string, python: string, probe: string): Promise<void> {
  const artifacts = await testArtifacts();
  const container = await runtime.createContainer({ image, purpose: 'bench', workingDir: '/testbed', binds: [artifactsBind(artifacts)] });
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-'));
  try {
    await container.putFile('/testbed/bench_probe.py', probe);
    const { interpreter } = await findInterpreter(container, python);
    let started = Date.now();
    const proc = await execStdio(container, serverCommand(artifacts), { cwd: '/testbed' });
    const inContainer = new LspClient(proc.reader, proc.writer, (s) => serverSettings(s, interpreter, 'basic'));
    const c = await measure(inContainer, 'file:///testbed', probe, started);
    await inContainer.shutdown();
    await proc.kill();

    await container.copyOut('/testbed', hostDir);
    fs.rmSync(path.join(hostDir, '.git'), { recursive: true, force: true });
    started = Date.now();
    const host = spawn(process.execPath, [path.join(artifacts.cacheDir, artifacts.pyrightDir, 'langserver.index.js'), '--stdio'], { cwd: hostDir, stdio: ['pipe', 'pipe', 'ignore'] });
    const onHost = new LspClient(host.stdout, host.stdin, (s) => serverSettings(s, 'python3', 'basic'));
    const h = await measure(onHost, `file://${hostDir}`, probe, started);
    await onHost.shutdown();
    host.kill('SIGKILL');
    report(label, c, h);
  } finally {
    await container.remove();
    fs.rmSync(hostDir, { recursive: true, force: true });
  }
}

/** The machine's load beside the figures: under load both servers slow down alike (the ratio is what compares). */
function load(when: string): void {
  const [one, five] = os.loadavg();
  console.log(`load average ${when}: ${one?.toFixed(1)} (1 min), ${five?.toFixed(1)} (5 min) on ${os.cpus().length} cores`);
}

async function main(): Promise<void> {
  load('at the start');
  const runtime = new DockerRuntime();
  const largeSpec = makeInstanceSpec(
    largeRepoInstance() /* its base commit is not used: only the image is */,
    { flavor: 'swe-gym', dir: FIXTURES },
    { allowPull: false },
  );
  const large = await ensureImage(runtime, largeSpec.image);
  await run(runtime, 'bench repository (12,000 files)', large.image, largeSpec.python.interpreter, probeFile('from pkg3.sub12 import mod_11483', 'mod_11483.f_11483_0(1)'));
  const ds = await loadDataset('samples');
  const textkit = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  if (!textkit) throw new Error('no textkit sample');
  const sampleSpec = makeInstanceSpec(textkit, datasetContextOf(ds), { allowPull: false });
  const sample = await ensureImage(runtime, sampleSpec.image);
  await run(runtime, 'largest sample (textkit-12)', sample.image, sampleSpec.python.interpreter, probeFile('from textkit import align', 'align.pad("x", 3)'));
  load('at the end');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
