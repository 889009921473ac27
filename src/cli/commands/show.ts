import { imageNameFor } from '../../core/images/imageName';
import { defaultRulesFor } from '../../core/harness/evaluateInstance';
import { resolveRepoSpec } from '../../core/harness/specs/repoSpecs';
import { buildTestCommand } from '../../core/harness/specs/testDirectives';
import { parseCommandArgs, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';

const USAGE = 'swe-gym show --dataset D ID [--reveal] [--json]';

/** One instance: the issue, metadata and the test command; gold patch and test names only with --reveal. */
export async function showCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, { dataset: { type: 'string' }, reveal: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  const id = positionals[0];
  if (!id) throw new UsageError(`an instance id is required\n\nusage: ${USAGE}`);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const [inst] = selectInstances(dataset, [id]);
  if (!inst) throw new UsageError(`Unknown instance ${id}`);
  const spec = resolveRepoSpec(inst);
  const info = {
    instance_id: inst.instance_id,
    repo: inst.repo,
    version: inst.version,
    base_commit: inst.base_commit,
    created_at: inst.created_at,
    image: imageNameFor(inst, dataset.flavor),
    test_command: buildTestCommand(inst),
    log_parser: spec.log_parser,
    rules: defaultRulesFor(dataset.flavor),
    rules_reason: `the dataset is taken as ${dataset.flavor}: ${dataset.flavorReason ?? 'its loader gave no reason'}`,
    fail_to_pass_count: inst.FAIL_TO_PASS.length,
    pass_to_pass_count: inst.PASS_TO_PASS.length,
    problem_statement: inst.problem_statement,
    hints_text: inst.hints_text,
    ...(values.reveal ? { patch: inst.patch, test_patch: inst.test_patch, FAIL_TO_PASS: inst.FAIL_TO_PASS, PASS_TO_PASS: inst.PASS_TO_PASS } : {}),
  };
  if (values.json) {
    writeJson(ctx, info);
    return 0;
  }
  const lines = [
    `${info.instance_id}  (${info.repo} ${info.version}, ${info.created_at})`,
    `base commit  ${info.base_commit}`,
    `image        ${info.image}`,
    `tests        ${info.fail_to_pass_count} FAIL_TO_PASS, ${info.pass_to_pass_count} PASS_TO_PASS (parser: ${info.log_parser})`,
    `test command ${info.test_command}`,
    `rules        ${info.rules} (${info.rules_reason})`,
    '',
    inst.problem_statement.trim(),
  ];
  if (inst.hints_text.trim()) lines.push('', '--- hints ---', inst.hints_text.trim());
  if (values.reveal) lines.push('', '--- gold patch ---', inst.patch.trimEnd(), '', '--- FAIL_TO_PASS ---', ...inst.FAIL_TO_PASS, '', '--- PASS_TO_PASS ---', ...inst.PASS_TO_PASS);
  else lines.push('', '(gold patch and test names hidden: add --reveal)');
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
