import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAIChatProvider, type OpenAIChatConfig } from '../../core/agent/model/openaiProvider';
import { loadRecordedRows } from '../../core/agent/replay';
import { rolloutRunRecord, runRollouts, summaryRow, type InstanceSummary, type RolloutSummaryRow } from '../../core/agent/runRollouts';
import { gatherRolloutShards } from '../../core/executors/slurm/gatherRollouts';
import type { AgentTemplate } from '../../core/agent/templates/agentTemplate';
import { DEFAULT_TEMPLATE, withPythonTools } from '../../core/agent/templates/defaultTemplate';
import type { PythonToolsSettings } from '../../core/agent/tools/pythonTools';
import { DEFAULT_REGISTRY } from '../../core/languageServer/artifacts';
import { artifactsPerEngine } from '../../core/languageServer/engineArtifacts';
import { oneEngine, type PoolEngine } from '../../core/runtime/enginePool';
import { templateFromSweGymRow } from '../../core/agent/templates/sweGymPreset';
import { newRunId } from '../../core/harness/runId';
import { cliEngines, POOL_OPTIONS, POOL_USAGE, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, positiveInt, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';
import { formatTable } from '../table';
import { instanceIds, parseRules } from './eval';
import { applyShard, EXECUTOR_OPTIONS, EXECUTOR_USAGE, MODEL_HEADERS_ENV, runOnSlurm, shardFrom, wantsSlurm } from '../slurmOption';

const USAGE = [
  'swe-gym rollout --dataset D [--instances ID...] --model M [--base-url U] [--n K] [--workers W] [--max-steps S] [--temperature T] [--out DIR] [--json]',
  '  model:   [--top-p P] [--max-tokens N] [--no-stream] [--tool-mode native|text] [--header K=V ...] [--body JSON] [--context-window TOKENS]',
  '  prompts: [--template default|ROW.json]  (ROW: a SWE-Gym trajectory row whose prompts and tools to use)',
  '           [--python-tools]  (default template only: also offer python_definition, python_references, python_diagnostics,',
  '           answered by pyright in the container with the image\'s interpreter; pyright and Node are fetched once from npm)',
  '  budgets: [--max-total-tokens N] [--max-cost USD --price IN/OUT (dollars per million tokens)] [--max-time S] [--command-timeout S]',
  '  reward:  [--no-reward] [--skip-install] [--rules R] [--no-pull] [--image-template T] [--run-id R]',
  `  containers: ${RUNTIME_USAGE}  (agent containers have no network unless --allow-internet)`,
  `  engines:    ${POOL_USAGE}  (a pool: the rollouts spread over the engines)`,
  `  cluster:    ${EXECUTOR_USAGE}  (an array job: each task rolls out its shard of the instances on its node's engine; one run folder gathered)`,
  'The API key comes from OPENAI_API_KEY (optional for local servers); it is never written anywhere.',
  'Header values are not written either: a Slurm run hands them to its shards in the environment (SWE_GYM_MODEL_HEADERS, a JSON object).',
].join('\n');

const OPTIONS = {
  ...POOL_OPTIONS,
  ...EXECUTOR_OPTIONS,
  dataset: { type: 'string' },
  instances: { type: 'string', multiple: true },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  n: { type: 'string' },
  workers: { type: 'string' },
  'max-steps': { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'max-tokens': { type: 'string' },
  'no-stream': { type: 'boolean' },
  'tool-mode': { type: 'string' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  'context-window': { type: 'string' },
  template: { type: 'string' },
  'python-tools': { type: 'boolean' },
  'max-total-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  price: { type: 'string' },
  'max-time': { type: 'string' },
  'command-timeout': { type: 'string' },
  'no-reward': { type: 'boolean' },
  'skip-install': { type: 'boolean' },
  rules: { type: 'string' },
  'no-pull': { type: 'boolean' },
  'image-template': { type: 'string' },
  'run-id': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Exit reasons that mean the run could not work as asked (the exit code says so). */
const FAILURES = new Set(['auth_error', 'model_not_found', 'model_error', 'environment_error']);

export async function rolloutCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, OPTIONS, USAGE);
  const model = requireOption(values.model, 'model', USAGE);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const slurm = wantsSlurm(values);
  const instances = applyShard(selectInstances(dataset, instanceIds(values, positionals)), values, (i) => i.instance_id);
  if (instances.length === 0) throw new UsageError('The dataset has no instances to roll out.');
  const n = positiveInt(values.n, 'n', 1);
  const workers = positiveInt(values.workers, 'workers', 1);
  const maxSteps = positiveInt(values['max-steps'], 'max-steps', 50);
  const temperature = optionalNumber(values.temperature, 'temperature');
  const toolMode = values['tool-mode'] ?? 'native';
  if (toolMode !== 'native' && toolMode !== 'text') throw new UsageError(`--tool-mode takes native or text, got "${toolMode}"`);
  const maxCost = optionalNumber(values['max-cost'], 'max-cost');
  const price = values.price ? parsePrice(values.price) : undefined;
  if (maxCost !== undefined && !price) throw new UsageError('--max-cost needs --price IN/OUT (dollars per million input and output tokens) for the model.');
  // A Slurm coordinator needs no engine: its shards use their nodes' engines.
  const engines = slurm ? undefined : cliEngines(values);
  let template = await loadTemplate(values.template);
  let languageServerByEngine: Map<string, PythonToolsSettings> | undefined;
  if (values['python-tools']) {
    if (template !== DEFAULT_TEMPLATE) throw new UsageError('--python-tools adds tools to our own template; a SWE-Gym row template keeps the released tools (so its observations stay the released bytes).');
    if (engines) languageServerByEngine = await fetchLanguageServer(ctx, Array.isArray(engines) ? engines : oneEngine(engines));
    template = withPythonTools(template);
  }
  const endpoint: OpenAIChatConfig = {
    model,
    baseURL: values['base-url'],
    apiKey: process.env.OPENAI_API_KEY,
    temperature,
    topP: optionalNumber(values['top-p'], 'top-p'),
    maxTokens: values['max-tokens'] ? positiveInt(values['max-tokens'], 'max-tokens', 0) : undefined,
    stream: !values['no-stream'],
    toolMode,
    extraHeaders: { ...headersFromEnv(), ...parseHeaders(values.header ?? []) },
    extraBody: values.body ? parseBody(values.body) : undefined,
  };
  // What the trajectory records about the run: everything but credentials.
  const config = {
    model,
    base_url: values['base-url'] ?? 'https://api.openai.com/v1',
    temperature: temperature ?? null,
    top_p: endpoint.topP ?? null,
    max_tokens: endpoint.maxTokens ?? null,
    stream: endpoint.stream,
    tool_mode: toolMode,
    extra_headers: Object.keys(endpoint.extraHeaders ?? {}),
    extra_body: endpoint.extraBody ?? null,
    template: template.name,
    max_steps: maxSteps,
  };
  const runId = values['run-id'] ?? `${model.replace(/[^A-Za-z0-9._-]+/g, '_')}_maxiter_${maxSteps}_t${temperature ?? 'default'}_${newRunId('run')}`;
  const outDir = path.resolve(values.out ?? 'runs');
  const ids = instances.map((i) => i.instance_id);
  if (!engines) {
    const record = rolloutRunRecord(runId, dataset.name, ids, n, workers, config);
    return runOnSlurm(ctx, 'rollout', values, positionals, {
      instanceIds: ids,
      outDir,
      runId,
      // A shard exits 1 when a rollout met a model or environment error: it still finished its work.
      okCodes: [0, 1],
      modelHeaders: endpoint.extraHeaders,
      gather: async (slurmDir, outcomes, jobIds) => {
        const summary = await gatherRolloutShards(slurmDir, path.join(outDir, runId), record, outcomes);
        const failedShards = outcomes.filter((x) => !x.ok).map((x) => ({ shard: x.index, slurm_task: x.taskId, state: x.state ?? null, exit_code: x.exitCode ?? null, log: x.log }));
        const slurmReport = { job_ids: jobIds, shards: outcomes.length, failed_shards: failedShards };
        report(ctx, values.json, runId, path.join(outDir, runId), summary.rollouts, summary.instances, slurmReport);
        return failedShards.length || summary.rollouts.some((r) => FAILURES.has(r.exit_reason)) ? 1 : 0;
      },
    });
  }
  const shard = shardFrom(values);
  progress(ctx, `Rolling out ${model} on ${instances.length} instance(s) x ${n} with ${workers} worker(s); run ${runId}`);
  const outcome = await runRollouts(engines, dataset, {
    instances,
    n,
    workers,
    outDir,
    runId,
    // Shards of one run roll out at once: each its own session, as eval's shards.
    ...(shard ? { sessionId: `${runId}-shard-${shard.index}` } : {}),
    modelFactory: () => new OpenAIChatProvider(endpoint),
    template,
    ...(languageServerByEngine ? { languageServerByEngine } : {}),
    budgets: {
      maxSteps,
      maxTotalTokens: values['max-total-tokens'] ? positiveInt(values['max-total-tokens'], 'max-total-tokens', 0) : undefined,
      maxCostUsd: maxCost,
      maxWallMs: values['max-time'] ? positiveInt(values['max-time'], 'max-time', 0) * 1000 : undefined,
    },
    prices: price ? { [model]: price } : undefined,
    tools: { timeoutMs: values['command-timeout'] ? positiveInt(values['command-timeout'], 'command-timeout', 120) * 1000 : undefined },
    contextWindowTokens: values['context-window'] ? positiveInt(values['context-window'], 'context-window', 0) : undefined,
    reward: values['no-reward'] ? false : {},
    skipInstall: values['skip-install'],
    rules: parseRules(values.rules),
    allowPull: !values['no-pull'],
    imageTemplate: values['image-template'],
    config,
    signal: ctx.signal,
    onDrain: (engine, reason) => progress(ctx, `engine ${engine} drained (${reason}); its rollouts go to the other engines`),
    onDone: (r, done, total) => {
      const reward = r.resolved === null ? 'no reward' : r.resolved ? 'resolved' : 'unresolved';
      progress(ctx, `[${done}/${total}] ${r.instanceId}_${r.index}: ${r.exitReason} after ${r.steps} step(s), ${reward}${r.message && r.exitReason !== 'finished' ? ` (${r.message})` : ''}`);
    },
  });
  report(ctx, values.json, outcome.runId, outcome.runDir, outcome.results.map(summaryRow), outcome.instances);
  const failed = outcome.results.filter((r) => FAILURES.has(r.exitReason));
  for (const r of failed.slice(0, 5)) progress(ctx, `error: ${r.instanceId}_${r.index}: ${r.message}`);
  return failed.length ? 1 : 0;
}

/** The run as --json or as a table, the same for a local run and a gathered Slurm run. */
function report(ctx: CliContext, json: boolean | undefined, runId: string, runDir: string, rows: RolloutSummaryRow[], instances: InstanceSummary[], slurm?: Record<string, unknown>): void {
  if (json) {
    writeJson(ctx, {
      run_id: runId,
      rollouts: rows.map((r) => ({ instance_id: r.instance_id, index: r.index, resolved: r.resolved, exit_reason: r.exit_reason, steps: r.steps, trajectory: r.trajectory })),
      ...(slurm ? { slurm } : {}),
    });
    return;
  }
  ctx.stdout.write(
    `${formatTable(
      ['instance', '#', 'exit', 'steps', 'tokens', 'cost', 'reward'],
      rows.map((r) => [r.instance_id, String(r.index), r.exit_reason, String(r.steps), String(r.prompt_tokens + r.completion_tokens), `$${r.cost_usd.toFixed(4)}`, r.resolved === null ? '-' : r.resolved ? '1' : '0']),
    )}\n\n${instances.map((i) => `${i.instance_id}: ${i.resolved}/${i.rollouts} resolved, pass@1 ${(i.pass_at_k['1'] ?? 0).toFixed(2)}`).join('\n')}\nrun ${runId}: trajectories in ${runDir}${slurm ? ` (Slurm job ${(slurm.job_ids as string[]).join(', ')})` : ''}\n`,
  );
}

/** Pyright and a Node for each engine's architecture, fetched once into the user's cache (SWE_GYM_LS_CACHE overrides). */
async function fetchLanguageServer(ctx: CliContext, engines: readonly PoolEngine[]): Promise<Map<string, PythonToolsSettings>> {
  const cacheDir = process.env.SWE_GYM_LS_CACHE ?? path.join(os.homedir(), '.cache', 'swe-gym-studio', 'language-server');
  const registry = process.env.npm_config_registry ?? DEFAULT_REGISTRY;
  const said = new Set<string>();
  const fetched = await artifactsPerEngine(engines, {
    cacheDir,
    registry,
    signal: ctx.signal,
    onProgress: (p) => {
      if (said.has(p.architecture) || !/downloading/.test(p.message)) return;
      said.add(p.architecture);
      progress(ctx, `${p.message.replace(/ \(.*\)$/, '')} (${p.architecture}) from ${registry} into ${cacheDir} (once)`);
    },
  });
  if (fetched.downloadedBytes) progress(ctx, `Python language server fetched (${(fetched.downloadedBytes / 1024 / 1024).toFixed(1)} MB)`);
  return new Map([...fetched.byEngine].map(([name, artifacts]) => [name, { artifacts }]));
}

async function loadTemplate(value: string | undefined): Promise<AgentTemplate> {
  if (!value || value === 'default') return DEFAULT_TEMPLATE;
  try {
    await fs.access(value);
  } catch {
    throw new UsageError(`--template takes "default" or a SWE-Gym row file; ${value} does not exist.`);
  }
  const [row] = await loadRecordedRows(value);
  if (!row) throw new UsageError(`${value} holds no row.`);
  return templateFromSweGymRow(row);
}

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} takes a non-negative number, got "${value}"`);
  return n;
}

function parsePrice(value: string): { inputPerMillion: number; outputPerMillion: number } {
  const m = /^\s*([\d.]+)\s*[/,]\s*([\d.]+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--price takes IN/OUT in dollars per million tokens (e.g. 2.5/10), got "${value}"`);
  return { inputPerMillion: Number(m[1]), outputPerMillion: Number(m[2]) };
}

/** Headers a Slurm coordinator handed its shards (MODEL_HEADERS_ENV, a JSON object); --header adds to them. */
function headersFromEnv(): Record<string, string> {
  const text = process.env[MODEL_HEADERS_ENV];
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${MODEL_HEADERS_ENV} is not a JSON object of header names and values`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UsageError(`${MODEL_HEADERS_ENV} must be a JSON object of header names and string values`);
  }
  return parsed as Record<string, string>;
}

function parseHeaders(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--header takes NAME=VALUE, got "${v}"`);
    out[v.slice(0, i).trim()] = v.slice(i + 1);
  }
  return out;
}

function parseBody(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--body takes a JSON object: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--body takes a JSON object, e.g. {"top_k": 20}');
  return parsed as Record<string, unknown>;
}
