/**
 * An instance, turned once into everything its evaluation, launch and rollout need (as the
 * SWE-bench harness turns an instance into a TestSpec): the image and how to get it, the eval
 * script, the test command, the log parser, the rule sets, the apply strategy, and notes that say
 * why. The row's heavy fields are read here, once; whatever the row alone rules out (a log parser
 * we do not have, a base commit that is no hash, a script too long to pass) fails here, before any
 * image is pulled or container started.
 */
import type { TaskInstance } from '../dataset/taskInstance';
import type { LogParserName } from '../grading/logParsers';
import type { RuleSet } from '../grading/ruleSet';
import { type EvalScript, evalScriptFrom } from '../harness/evalScript';
import { resolveRepoSpec, type RepoSpecSource } from '../harness/specs/repoSpecs';
import { testCommandFor } from '../harness/specs/testDirectives';
import { type ImageRef, imageRefFor } from '../images/imageRef';
import type { ApplyStrategy } from '../patch/applyPatch';
import type { DatasetContext } from './datasetContext';
import { familyOf, rulesFor, type SpecFamily, type SpecRules } from './specFamily';
import { pythonFor, type SpecPython } from './specPython';

export const DEFAULT_REPO_DIR = '/testbed';

/** Settings that shape a spec (the rest of an evaluation's options, e.g. timeouts, do not). */
export interface SpecSettings {
  /** Image name template (overrides the row's image and the family's naming rule). */
  imageTemplate?: string;
  /** false: never pull, fail when the image is absent. Default true. */
  allowPull?: boolean;
  /** Skip the install re-run (it needs network); notes say so. */
  skipInstall?: boolean;
  /** Reference rules; default: the family's own harness's. */
  rules?: RuleSet;
}

export interface InstanceSpec {
  readonly instanceId: string;
  readonly repo: string;
  readonly version: string;
  readonly baseCommit: string;
  /**
   * The row, for what the spec does not hold (the problem statement and hints for a prompt, the
   * gold patch as a prediction). What the spec holds is read from the spec, never again from here.
   */
  readonly row: TaskInstance;
  readonly family: SpecFamily;
  readonly image: ImageRef;
  /** The repository inside the container. */
  readonly repoDir: string;
  /**
   * The eval script. A grade runs it in one exec after the candidate patch; the test command's
   * exit status is the engine's exit status of that exec, see harness/runGrade.ts.
   */
  readonly evalScript: EvalScript;
  readonly testCommand: string;
  /** Where test_cmd came from: the row, the SWE-Gym or SWE-bench table, or the default. */
  readonly testCommandSource: RepoSpecSource;
  readonly logParser: LogParserName;
  readonly rules: SpecRules;
  /** The harness's patch fallbacks: SWE-bench's for SWE-bench rows, the SWE-Gym fork's otherwise. */
  readonly applyStrategy: ApplyStrategy;
  /** The repo's install re-run; `skipped` when the settings turned it off. */
  readonly install: { readonly command?: string; readonly skipped: boolean };
  /** The install step is the only part that may need the internet: with it turned off, evaluations get no network at all. */
  readonly evalNetwork: 'none' | 'default';
  readonly tests: { readonly FAIL_TO_PASS: readonly string[]; readonly PASS_TO_PASS: readonly string[] };
  /** The image's Python interpreter (what language servers resolve imports with) and why that one. */
  readonly python: SpecPython;
  /** What a user should know: which rules and why, where the image comes from, install skipped, table fallbacks. */
  readonly notes: readonly string[];
}

/** A row the spec cannot be made for; nothing was pulled or started. */
export class InstanceSpecError extends Error {
  override name = 'InstanceSpecError';
}

export function makeInstanceSpec(row: TaskInstance, context: DatasetContext, settings: SpecSettings = {}): InstanceSpec {
  try {
    return build(row, context, settings);
  } catch (err) {
    if (err instanceof InstanceSpecError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new InstanceSpecError(message.includes(row.instance_id) ? message : `${row.instance_id}: ${message}`, { cause: err });
  }
}

function build(row: TaskInstance, context: DatasetContext, settings: SpecSettings): InstanceSpec {
  // Each field read once; the lazy ones (test_patch, PASS_TO_PASS) go to disk on every read.
  const instanceId = row.instance_id;
  const repo = row.repo;
  const testPatch = row.test_patch;
  const failToPass = Object.freeze([...row.FAIL_TO_PASS]);
  const passToPass = Object.freeze([...row.PASS_TO_PASS]);
  const repoSpec = resolveRepoSpec(row);
  const family = familyOf(repo, context);
  const rules = rulesFor(family, settings.rules);
  const image = imageRefFor(row, family.flavor, { template: settings.imageTemplate, allowPull: settings.allowPull, ...(context.dir !== undefined ? { datasetDir: context.dir } : {}) });
  const testCommand = testCommandFor(repo, testPatch, repoSpec.test_cmd);
  const skipInstall = Boolean(settings.skipInstall);
  const evalScript = evalScriptFrom({
    instanceId,
    baseCommit: row.base_commit,
    testPatch,
    ...(repoSpec.install !== undefined ? { install: repoSpec.install } : {}),
    evalCommands: repoSpec.eval_commands,
    testCommand,
    repoDir: DEFAULT_REPO_DIR,
    skipInstall,
  });
  const notes = [`Rules: ${rules.reason}.`, `Image ${image.name}: ${image.reason}.`];
  if (evalScript.skippedInstall) notes.push('Install step skipped (setting sweGym.evaluation.skipInstall / --skip-install): the verdict may differ from the harness’s.');
  notes.push(...repoSpec.notes.map((n) => `${n}.`));
  return deepFreeze({
    instanceId,
    repo,
    version: row.version,
    baseCommit: row.base_commit,
    row,
    family,
    image,
    repoDir: DEFAULT_REPO_DIR,
    evalScript,
    testCommand,
    testCommandSource: repoSpec.source,
    logParser: repoSpec.log_parser,
    rules,
    applyStrategy: family.flavor === 'swe-bench' ? 'swe-bench' : 'swe-gym',
    install: { ...(repoSpec.install !== undefined ? { command: repoSpec.install } : {}), skipped: evalScript.skippedInstall },
    evalNetwork: skipInstall ? 'none' : 'default',
    tests: { FAIL_TO_PASS: failToPass, PASS_TO_PASS: passToPass },
    python: pythonFor(family.flavor),
    notes,
  });
}

/** The notes beyond the rules and image lines (those two come first; the spec also holds them as fields): install skipped, table fallbacks. */
export function extraNotes(spec: InstanceSpec): readonly string[] {
  return spec.notes.slice(2);
}

/** Freezes the spec and everything it holds except the row (the dataset's, shared). */
function deepFreeze<T extends InstanceSpec>(spec: T): T {
  const freeze = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
    Object.freeze(value);
    for (const v of Object.values(value)) freeze(v);
  };
  for (const [key, value] of Object.entries(spec)) if (key !== 'row') freeze(value);
  return Object.freeze(spec);
}
