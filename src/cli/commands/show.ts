import { datasetContextOf } from '../../core/spec/datasetContext';
import { extraNotes, type InstanceSpec, InstanceSpecError, makeInstanceSpec } from '../../core/spec/instanceSpec';
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
  // What cannot be run is still shown, with the reason it cannot.
  let spec: InstanceSpec | undefined;
  let unrunnable: string | undefined;
  try {
    spec = makeInstanceSpec(inst, datasetContextOf(dataset));
  } catch (err) {
    if (!(err instanceof InstanceSpecError)) throw err;
    unrunnable = err.message;
  }
  const info = {
    instance_id: inst.instance_id,
    repo: inst.repo,
    version: inst.version,
    base_commit: inst.base_commit,
    created_at: inst.created_at,
    ...(spec
      ? {
          image: spec.image.name,
          image_policy: spec.image.policy,
          image_reason: spec.image.reason,
          test_command: spec.testCommand,
          log_parser: spec.logParser,
          family: spec.family.flavor,
          family_reason: spec.family.reason,
          rules: spec.rules.reference,
          strict_rules: spec.rules.strict,
          rules_reason: spec.rules.reason,
          python: spec.python.interpreter,
          python_reason: spec.python.reason,
          notes: spec.notes,
        }
      : { cannot_run: unrunnable }),
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
    ...(spec
      ? [
          `image        ${spec.image.name} (${spec.image.policy}: ${spec.image.reason})`,
          `tests        ${info.fail_to_pass_count} FAIL_TO_PASS, ${info.pass_to_pass_count} PASS_TO_PASS (parser: ${spec.logParser})`,
          `test command ${spec.testCommand}`,
          `rules        ${spec.rules.reference}, strict ${spec.rules.strict} (${spec.rules.reason})`,
          `python       ${spec.python.interpreter} (${spec.python.reason})`,
          ...extraNotes(spec).map((n) => `note         ${n}`),
        ]
      : [`cannot run   ${unrunnable}`, `tests        ${info.fail_to_pass_count} FAIL_TO_PASS, ${info.pass_to_pass_count} PASS_TO_PASS`]),
    '',
    inst.problem_statement.trim(),
  ];
  if (inst.hints_text.trim()) lines.push('', '--- hints ---', inst.hints_text.trim());
  if (values.reveal) lines.push('', '--- gold patch ---', inst.patch.trimEnd(), '', '--- FAIL_TO_PASS ---', ...inst.FAIL_TO_PASS, '', '--- PASS_TO_PASS ---', ...inst.PASS_TO_PASS);
  else lines.push('', '(gold patch and test names hidden: add --reveal)');
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
