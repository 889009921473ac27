import type { DatasetFlavor, TaskInstance } from '../dataset/taskInstance';

/**
 * Image name templates. Placeholders: {id} (the instance id as is), {id_swegym} (`__` -> `_s_`,
 * lower-cased: SWE-Gym's rule), {id_swebench} (`__` -> `_1776_`, lower-cased: SWE-bench's rule),
 * {repo} and {version}.
 */
export const DEFAULT_IMAGE_TEMPLATES: Record<Exclude<DatasetFlavor, 'samples'>, string> = {
  'swe-gym': 'xingyaoww/sweb.eval.x86_64.{id_swegym}:latest',
  'swe-bench': 'swebench/sweb.eval.x86_64.{id_swebench}:latest',
};

export function expandImageTemplate(template: string, instance: TaskInstance): string {
  const values: Record<string, string> = {
    id: instance.instance_id,
    id_swegym: instance.instance_id.replace(/__/g, '_s_').toLowerCase(),
    id_swebench: instance.instance_id.replace(/__/g, '_1776_').toLowerCase(),
    repo: instance.repo,
    version: instance.version,
  };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Unknown placeholder ${whole} in image template "${template}" (known: ${Object.keys(values).map((k) => `{${k}}`).join(' ')})`);
    return v;
  });
}
