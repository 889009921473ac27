/** How to install and test an instance's repository: per-row overrides, else the harness tables. */
import type { TaskInstance } from '../../dataset/taskInstance';
import type { LogParserName } from '../../grading/logParsers';
import { parserNameForInstance } from './logParserTable';
import { type SpecEntry, listsVersion, tableEntry } from './specTable';
import { SWE_BENCH_TABLE } from './sweBenchTable';
import { SWE_GYM_TABLE } from './sweGymTable';

export interface RepoSpec {
  test_cmd: string;
  install?: string;
  pre_install?: string[];
  eval_commands: string[];
  log_parser: LogParserName;
}

/** Where the spec's test_cmd came from. */
export type RepoSpecSource = 'row' | 'swe-gym' | 'swe-bench' | 'default';

export interface ResolvedRepoSpec extends RepoSpec {
  source: RepoSpecSource;
  /** Anything the user should know (unknown repo or version, defaults used). */
  notes: string[];
}

export const DEFAULT_TEST_CMD = 'pytest -rA';

function fromTables(instance: TaskInstance): { entry: SpecEntry; source: RepoSpecSource; notes: string[] } {
  const notes: string[] = [];
  const tables = [
    { table: SWE_GYM_TABLE, source: 'swe-gym' as const, label: "the SWE-Gym harness's" },
    { table: SWE_BENCH_TABLE, source: 'swe-bench' as const, label: "SWE-bench's" },
  ];
  for (const { table, source, label } of tables) {
    const repoTable = tableEntry(table, instance.repo);
    if (repoTable === undefined) {
      continue;
    }
    if (!listsVersion(repoTable, instance.version)) {
      notes.push(
        `${instance.repo} version "${instance.version}" is not in ${label} spec table (its harness would fail); ` +
          'using the spec of the neighbouring versions',
      );
    }
    return { entry: repoTable.entry(instance.version), source, notes };
  }
  return { entry: { test_cmd: DEFAULT_TEST_CMD }, source: 'default', notes };
}

/**
 * Per-row fields (test_cmd, install_cmd, eval_commands, log_parser) win one by one; the rest comes
 * from the SWE-Gym fork's table, then SWE-bench 4.1's, then a plain `pytest -rA` default.
 */
export function resolveRepoSpec(instance: TaskInstance): ResolvedRepoSpec {
  const { entry, source, notes } = fromTables(instance);
  const rowCmd = instance.test_cmd !== undefined && instance.test_cmd.trim() !== '' ? instance.test_cmd : undefined;
  const spec: ResolvedRepoSpec = {
    test_cmd: rowCmd ?? entry.test_cmd,
    eval_commands: [...(instance.eval_commands ?? entry.eval_commands ?? [])],
    log_parser: parserNameForInstance(instance),
    source: rowCmd !== undefined ? 'row' : source,
    notes,
  };
  const install = instance.install_cmd ?? entry.install;
  if (source === 'default') {
    const what = [rowCmd === undefined ? `testing with "${DEFAULT_TEST_CMD}"` : '', install === undefined ? 'no install step' : '']
      .filter((w) => w !== '')
      .join(' and ');
    if (what !== '') {
      notes.push(`${instance.repo} is in neither the SWE-Gym nor the SWE-bench spec table: ${what}`);
    }
  }
  if (install !== undefined) {
    spec.install = install;
  }
  if (entry.pre_install !== undefined) {
    spec.pre_install = [...entry.pre_install];
  }
  return spec;
}
