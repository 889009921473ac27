import { diffTargetPaths } from '../../core/patch/patchPaths';
import { parseCommandArgs, requireOption, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';
import { formatTable } from '../table';

const USAGE = 'swe-gym list --dataset D [--repo OWNER/NAME] [--json]';

export async function listCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, { dataset: { type: 'string' }, repo: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const instances = dataset.instances.filter((i) => !values.repo || i.repo === values.repo);
  const rows = instances.map((i) => ({
    instance_id: i.instance_id,
    repo: i.repo,
    version: i.version,
    fail_to_pass: i.FAIL_TO_PASS.length,
    pass_to_pass: i.PASS_TO_PASS.length,
    gold_files: diffTargetPaths(i.patch).length,
  }));
  if (values.json) {
    writeJson(ctx, { dataset: dataset.name, flavor: dataset.flavor, total: rows.length, skipped_rows: dataset.issues.length, instances: rows });
    return 0;
  }
  ctx.stdout.write(
    `${formatTable(
      ['instance', 'repo', 'version', 'F2P', 'P2P', 'gold files'],
      rows.map((r) => [r.instance_id, r.repo, r.version, String(r.fail_to_pass), String(r.pass_to_pass), String(r.gold_files)]),
    )}\n${rows.length} instances (${dataset.flavor})${dataset.issues.length ? `, ${dataset.issues.length} malformed rows skipped` : ''}\n`,
  );
  return 0;
}
