// Dataset loading benchmark: synthetic SWE-Gym-shaped data at the real datasets' sizes, each
// measurement in its own child process so RSS figures are clean.
//
//   npx tsc -p tsconfig.test.json && node out/bench/datasetLoad.js [--fresh] [--quick]
//
// The data is generated once into $TMPDIR/swe-gym-studio-bench/datasets (about 3 GB, 4 minutes)
// and reused; --fresh regenerates. A run takes about 100 s and up to 2.6 GB in the baseline
// children; --quick skips the everything-in-memory run on Raw.
//
// Sizes: the real files cannot be downloaded here, so the synthetic ones are calibrated to the
// real files' sizes on disk (our generated text compresses about 3.4x under snappy, like SWE-bench's
// own parquet: 441 MB of rows in 125 MB).
// - SWE-Gym: 2,438 rows in one parquet file of ~44 MB (~18 KB per row on disk, so ~60 KB per row
//   uncompressed). Text fields: issue ~3 KB, hints ~2 KB (half empty), gold patch ~4 KB, test
//   patch ~6 KB. The rest is PASS_TO_PASS with a long tail: pandas-like rows (30%) carry ~2,000
//   test ids, the others ~150. This lands at ~34 MB (143 MB as JSONL): short of 44 MB, as test
//   ids compress far better than text; the missing bytes would sit in columns the lazy load
//   does not decode.
// - SWE-Gym Raw: 66,894 rows in 6 parquet shards of ~728 MB together (154+82+134+141+134+83 MB on
//   the Hub, ~11 KB per row on disk). Raw rows are not small; they only lack long test lists
//   (unvalidated; whether the real ones carry lists at all is not known from here, ours have a
//   few). Text per row ~32 KB (issue ~4 KB, hints ~5 KB half the time, patch ~12 KB, test patch
//   ~13 KB), ~2 GB in all: no loader holding it as strings fits 300 MB, hence lazy text (see
//   TextStorage in src/core/dataset/loadDataset.ts).
//
// Baselines, measured in the same run: a plain hyparquet read of the whole file (all columns,
// everything kept) and JSON.parse of every JSONL line (everything kept).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadDataset } from '../src/core/dataset/loadDataset';

const GENERATOR_VERSION: Record<'gym' | 'raw', number> = { gym: 5, raw: 4 };

interface DatasetSpec {
  label: string;
  rows: number;
  shards: number;
  shape: 'gym' | 'raw';
}

const SPECS: DatasetSpec[] = [
  { label: 'SWE-Gym (2,438 rows)', rows: 2_438, shards: 1, shape: 'gym' },
  { label: 'SWE-Gym Raw (66,894 rows)', rows: 66_894, shards: 6, shape: 'raw' },
];

// ---------------------------------------------------------------------------------------------
// Synthetic rows

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a to of and in is it that when with for this not on be are as but error value returns ' +
  'should would expected actual behaviour raise raises exception call function method class object ' +
  'instance attribute argument parameter default none true false list dict string integer index ' +
  'column frame series array shape dtype type version install import module package test tests ' +
  'failing passing bug issue fix regression after before since release upgrade works broken ' +
  'reproduce example output traceback line file path config option setting flag missing empty ' +
  'duplicate invalid support request response client server bucket key region account policy'
).split(' ');
const IDENTS = (
  'self result value data frame idx key obj arr df series name path config options kwargs args ' +
  'response client bucket region dtype shape axis level columns index values mask other func cls ' +
  'node expr typ ctx state item items spec tensor image label batch transform device'
).split(' ');
const MODULES = ['core', 'models', 'utils', 'io', 'frame', 'series', 'checker', 'semanal', 'transforms', 'responses', 'backends'];

class TextGen {
  constructor(private readonly rnd: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)] as T;
  }

  /** Log-normal sizes around `mean` bytes, as real text sizes are. */
  size(mean: number): number {
    const u = Math.max(this.rnd(), 1e-9);
    const v = this.rnd();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(80, Math.round(mean * Math.exp(0.7 * normal - 0.245)));
  }

  prose(bytes: number): string {
    const parts: string[] = [];
    let n = 0;
    while (n < bytes) {
      const w = this.rnd() < 0.15 ? this.pick(IDENTS) : this.pick(WORDS);
      const sep = this.rnd() < 0.08 ? '.\n' : ' ';
      parts.push(w, sep);
      n += w.length + sep.length;
    }
    return parts.join('');
  }

  codeLine(): string {
    const a = this.pick(IDENTS);
    const b = this.pick(IDENTS);
    const c = this.pick(IDENTS);
    switch (Math.floor(this.rnd() * 5)) {
      case 0:
        return `        ${a} = ${b}.${c}(${this.pick(IDENTS)}, ${this.pick(IDENTS)}=${this.pick(IDENTS)})`;
      case 1:
        return `    if ${a} is not None and ${b}.${c}:`;
      case 2:
        return `            return ${a}[${b}]`;
      case 3:
        return `    def ${a}_${b}(self, ${c}):`;
      default:
        return `        raise ValueError(f"invalid ${a}: {${b}!r}")`;
    }
  }

  diff(bytes: number, dir: string): string {
    const parts: string[] = [];
    let n = 0;
    while (n < bytes) {
      const file = `${dir}/${this.pick(MODULES)}/${this.pick(IDENTS)}.py`;
      const header = `diff --git a/${file} b/${file}\nindex 1a2b3c4..5d6e7f8 100644\n--- a/${file}\n+++ b/${file}\n`;
      parts.push(header);
      n += header.length;
      const hunks = 1 + Math.floor(this.rnd() * 3);
      for (let h = 0; h < hunks && n < bytes; h++) {
        const start = 1 + Math.floor(this.rnd() * 900);
        const lines: string[] = [];
        for (let i = 0; i < 10; i++) {
          const r = this.rnd();
          lines.push((r < 0.6 ? ' ' : r < 0.8 ? '-' : '+') + this.codeLine());
        }
        const hunk = `@@ -${start},8 +${start},9 @@ def ${this.pick(IDENTS)}(self):\n${lines.join('\n')}\n`;
        parts.push(hunk);
        n += hunk.length;
      }
    }
    return parts.join('');
  }

  testIds(count: number): string[] {
    const ids: string[] = [];
    const file = `tests/${this.pick(MODULES)}/test_${this.pick(IDENTS)}.py`;
    for (let i = 0; i < count; i++) {
      const param = this.rnd() < 0.4 ? `[${this.pick(IDENTS)}-${Math.floor(this.rnd() * 64)}]` : '';
      ids.push(`${file}::Test${this.pick(IDENTS)}::test_${this.pick(IDENTS)}_${this.pick(IDENTS)}${param}`);
    }
    return ids;
  }
}

const REPOS = ['pandas-dev/pandas', 'Project-MONAI/MONAI', 'getmoto/moto', 'python/mypy', 'iterative/dvc', 'dask/dask'];

function makeRow(i: number, shape: 'gym' | 'raw', gen: TextGen, rnd: () => number): Record<string, unknown> {
  const repo = REPOS[i % REPOS.length] as string;
  const hasHints = rnd() < 0.5;
  const big = shape === 'raw';
  const p2pCount = big ? Math.floor(rnd() * 20) : Math.min(8000, gen.size(rnd() < 0.3 ? 2_000 : 150));
  return {
    instance_id: `${repo.replace('/', '__')}-${10_000 + i}`,
    repo,
    base_commit: (i * 2654435761).toString(16).padStart(8, '0').repeat(5).slice(0, 40),
    patch: gen.diff(gen.size(big ? 12_000 : 4_000), repo.split('/')[1] ?? 'src'),
    test_patch: gen.diff(gen.size(big ? 13_000 : 6_000), 'tests'),
    problem_statement: gen.prose(gen.size(big ? 4_000 : 3_000)),
    hints_text: hasHints ? gen.prose(gen.size(big ? 5_000 : 2_000)) : '',
    created_at: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
    version: `${1 + (i % 3)}.${i % 10}`,
    FAIL_TO_PASS: gen.testIds(1 + Math.floor(rnd() * (big ? 3 : 8))),
    PASS_TO_PASS: gen.testIds(p2pCount),
  };
}

const STRING_COLUMNS = ['instance_id', 'repo', 'base_commit', 'patch', 'test_patch', 'problem_statement', 'hints_text', 'created_at', 'version'];
const LIST_COLUMNS = ['FAIL_TO_PASS', 'PASS_TO_PASS'];

/** The schema pyarrow writes for SWE-Gym: strings, and LIST<string> test lists. */
function gymSchema(): Record<string, unknown>[] {
  return [
    { name: 'schema', num_children: STRING_COLUMNS.length + LIST_COLUMNS.length },
    ...STRING_COLUMNS.map((name) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })),
    ...LIST_COLUMNS.flatMap((name) => [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ]),
  ];
}

interface Generated {
  parquetDir: string;
  parquetFiles: string[];
  jsonl: string;
}

async function generate(spec: DatasetSpec, root: string, fresh: boolean): Promise<Generated> {
  const dir = path.join(root, `${spec.shape}-${spec.rows}-v${GENERATOR_VERSION[spec.shape]}`);
  const parquetDir = path.join(dir, 'parquet');
  const jsonl = path.join(dir, 'rows.jsonl');
  const marker = path.join(dir, 'complete');
  const parquetFiles = Array.from({ length: spec.shards }, (_, s) =>
    path.join(parquetDir, 'data', `train-${String(s).padStart(5, '0')}-of-${String(spec.shards).padStart(5, '0')}.parquet`),
  );
  if (!fresh && fs.existsSync(marker)) return { parquetDir, parquetFiles, jsonl };

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(parquetDir, 'data'), { recursive: true });
  const { parquetWriteFile } = await import('hyparquet-writer');
  const rnd = mulberry32(spec.rows);
  const gen = new TextGen(rnd);
  const out = fs.openSync(jsonl, 'w');
  const started = Date.now();
  try {
    const perShard = Math.ceil(spec.rows / spec.shards);
    for (let s = 0; s < spec.shards; s++) {
      const rows: Record<string, unknown>[] = [];
      for (let i = s * perShard; i < Math.min(spec.rows, (s + 1) * perShard); i++) rows.push(makeRow(i, spec.shape, gen, rnd));
      fs.writeSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const columns = [...STRING_COLUMNS, ...LIST_COLUMNS];
      parquetWriteFile({
        filename: parquetFiles[s] as string,
        columnData: columns.map((name) => ({ name, data: rows.map((r) => r[name]) })) as never,
        schema: gymSchema() as never,
        // Row groups of 1,000 rows, as the Hugging Face datasets writer batches them.
        rowGroupSize: 1000,
      });
      process.stderr.write(`  generated ${spec.label} shard ${s + 1}/${spec.shards} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    fs.closeSync(out);
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return { parquetDir, parquetFiles, jsonl };
}

// ---------------------------------------------------------------------------------------------
// Measurements (child side)

type Task =
  | { kind: 'loadDataset'; source: string; text: 'auto' | 'memory' | 'lazy' }
  | { kind: 'hyparquet'; files: string[] }
  | { kind: 'jsonParse'; file: string };

interface Measurement {
  seconds: number;
  /** CPU time of the load (user + system): less sensitive than wall time to a busy machine. */
  cpuSeconds: number;
  rows: number;
  rssGrowthMB: number;
  peakGrowthMB: number;
  note?: string;
}

async function runTask(task: Task): Promise<Measurement> {
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  let note: string | undefined;
  let keep: unknown;
  if (task.kind === 'loadDataset') {
    const dataset = await loadDataset(task.source, { text: task.text });
    rows = dataset.instances.length;
    if (dataset.issues.length) note = `${dataset.issues.length} issues`;
    keep = dataset;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const rssAfter = process.memoryUsage().rss;
    // What one consumer access costs (a row in the middle: its row group is decoded on demand).
    const probe = dataset.instances[Math.floor(rows / 2)];
    const t1 = performance.now();
    const textBytes = probe ? probe.patch.length + probe.test_patch.length + probe.problem_statement.length : 0;
    const accessMs = performance.now() - t1;
    note = [note, `one row's text: ${accessMs.toFixed(0)} ms (${(textBytes / 1024).toFixed(0)} KB)`].filter(Boolean).join('; ');
    return finish(seconds, rssAfter, cpu);
  }
  if (task.kind === 'hyparquet') {
    const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
    const all: unknown[][] = [];
    for (const file of task.files) {
      const part = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
      rows += part.length;
      all.push(part);
    }
    keep = all;
  } else {
    const parsed: unknown[] = [];
    const lines = readline.createInterface({ input: fs.createReadStream(task.file), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') parsed.push(JSON.parse(line));
    rows = parsed.length;
    keep = parsed;
  }
  return finish((performance.now() - t0) / 1000, process.memoryUsage().rss, process.cpuUsage(cpu0));

  function finish(seconds: number, rssAfter: number, cpu: NodeJS.CpuUsage): Measurement {
    if (keep === undefined) throw new Error('nothing loaded');
    const peak = Math.max(peakRss(), rssAfter);
    return {
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rows,
      rssGrowthMB: (rssAfter - rssBefore) / 1e6,
      peakGrowthMB: (peak - rssBefore) / 1e6,
      ...(note ? { note } : {}),
    };
  }
}

/**
 * This process's RSS high-water mark. Not process.resourceUsage().maxRSS: Linux carries that
 * across fork+exec, so a child would report the parent's peak. VmHWM belongs to the new image.
 */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1]) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The median run of `repeats` (by wall time): the machine is shared, single runs are noisy. */
function measure(task: Task, repeats = 1): Measurement {
  const runs = Array.from({ length: repeats }, () => measureOnce(task)).sort((a, b) => a.seconds - b.seconds);
  return runs[Math.floor(runs.length / 2)] as Measurement;
}

function measureOnce(task: Task): Measurement {
  const child = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(task)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`child failed (${child.status}): ${child.stderr}`);
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Measurement;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(m: Measurement): string {
  return `${m.seconds.toFixed(2).padStart(6)} s (cpu ${m.cpuSeconds.toFixed(2).padStart(5)} s)  ${m.rssGrowthMB.toFixed(0).padStart(6)} MB held  ${m.peakGrowthMB.toFixed(0).padStart(6)} MB peak`;
}

function dirSizeMB(files: string[]): number {
  return files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1e6;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await runTask(JSON.parse(args[1] ?? '{}') as Task);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const fresh = args.includes('--fresh');
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores; wall times are medians`);
  const quick = args.includes('--quick'); // skips the slow everything-in-memory runs on Raw
  const root = path.join(os.tmpdir(), 'swe-gym-studio-bench', 'datasets');
  const targets: Record<DatasetSpec['shape'], { seconds: number; mb: number }> = {
    gym: { seconds: 0.3, mb: Infinity },
    raw: { seconds: 3, mb: 300 },
  };
  let failed = false;

  for (const spec of SPECS) {
    const data = await generate(spec, root, fresh);
    const parquetMB = dirSizeMB(data.parquetFiles);
    const jsonlMB = dirSizeMB([data.jsonl]);
    console.log(`\n${spec.label}: parquet ${parquetMB.toFixed(0)} MB in ${spec.shards} file(s), JSONL ${jsonlMB.toFixed(0)} MB`);
    const source = spec.shards === 1 ? (data.parquetFiles[0] as string) : data.parquetDir;

    const small = spec.shape === 'gym';
    const baseline = measure({ kind: 'hyparquet', files: data.parquetFiles }, small ? 3 : 1);
    const ours = measure({ kind: 'loadDataset', source, text: 'auto' }, 5);
    const target = targets[spec.shape];
    const ok = ours.rows === spec.rows && ours.seconds <= target.seconds && ours.peakGrowthMB <= target.mb;
    failed ||= !ok;
    console.log(`  baseline plain hyparquet read   ${fmt(baseline)}`);
    console.log(
      `  loadDataset parquet (auto)      ${fmt(ours)}  ${(baseline.seconds / ours.seconds).toFixed(1)}x faster, ` +
        `${(baseline.rssGrowthMB / Math.max(1, ours.rssGrowthMB)).toFixed(1)}x less held  ` +
        `[target <= ${target.seconds} s${Number.isFinite(target.mb) ? `, <= ${target.mb} MB` : ''}: ${ok ? 'ok' : 'MISSED'}]`,
    );
    if (ours.note) console.log(`    ${ours.note}`);
    if (!(quick && spec.shape === 'raw')) {
      const memory = measure({ kind: 'loadDataset', source, text: 'memory' }, small ? 3 : 1);
      console.log(`  loadDataset parquet (memory)    ${fmt(memory)}  (all text as strings, for comparison)`);
    }

    const jsonBaseline = measure({ kind: 'jsonParse', file: data.jsonl }, small ? 3 : 1);
    const oursJsonl = measure({ kind: 'loadDataset', source: data.jsonl, text: 'auto' }, small ? 3 : 1);
    console.log(`  baseline JSON.parse every line  ${fmt(jsonBaseline)}`);
    console.log(
      `  loadDataset JSONL (auto)        ${fmt(oursJsonl)}  ${(jsonBaseline.seconds / oursJsonl.seconds).toFixed(1)}x faster, ` +
        `${(jsonBaseline.rssGrowthMB / Math.max(1, oursJsonl.rssGrowthMB)).toFixed(1)}x less held`,
    );
    if (oursJsonl.note) console.log(`    ${oursJsonl.note}`);
  }
  console.log(failed ? '\nSome parquet targets were missed.' : '\nAll parquet targets met.');
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
