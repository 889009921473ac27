import type { FlavorBasis } from './flavor';

/**
 * One task instance, normalised from any SWE-Gym / SWE-bench row. Test lists are always real
 * arrays here, whatever form (JSON-encoded string or list) the source file used.
 */
export interface TaskInstance {
  instance_id: string;
  repo: string;
  base_commit: string;
  /** Gold patch (source changes only). */
  patch: string;
  /** Hidden test patch. */
  test_patch: string;
  problem_statement: string;
  hints_text: string;
  created_at: string;
  version: string;
  FAIL_TO_PASS: string[];
  PASS_TO_PASS: string[];
  environment_setup_commit?: string;
  /** SWE-bench Verified only. */
  difficulty?: string;
  /**
   * Per-row overrides (SWE-bench v5 style rows and our bundled samples carry these);
   * otherwise the repo/version table and the dataset's image template apply.
   */
  image_name?: string;
  test_cmd?: string;
  log_parser?: string;
  install_cmd?: string;
  /** Extra commands run before the tests, e.g. conan's PYTHONPATH export. */
  eval_commands?: string[];
  /** Folder (relative to the dataset file) holding a Dockerfile that builds image_name. */
  image_build_context?: string;
}

/** Which family a dataset belongs to: decides image naming and the default grading rules. */
export type DatasetFlavor = 'swe-gym' | 'swe-bench' | 'samples';

export interface DatasetIssue {
  file: string;
  /** 0-based row index in the file. */
  row: number;
  instance_id?: string;
  field?: string;
  message: string;
}

export interface LoadedDataset {
  name: string;
  flavor: DatasetFlavor;
  /** Why the dataset was taken for that family (shown beside the rules that follow from it). */
  flavorReason?: string;
  /** What decided the flavor (see FlavorBasis); a row's repository may overrule 'encoding' and 'default'. */
  flavorBasis?: FlavorBasis;
  /** Absolute paths of the files read. */
  files: string[];
  instances: TaskInstance[];
  /** Malformed rows that were skipped, each with the reason. */
  issues: DatasetIssue[];
}
