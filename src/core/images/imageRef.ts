import type { DatasetFlavor, TaskInstance } from '../dataset/taskInstance';
import { DEFAULT_IMAGE_TEMPLATES, expandImageTemplate } from './imageName';

/**
 * How the image comes to be on this host: 'build' from the row's build context (rebuilt when the
 * context changes), 'pull' when missing, 'local' must already be here (pulling turned off).
 */
export type ImagePolicy = 'build' | 'pull' | 'local';

/** Which image an instance uses and how to get it: the one answer the page, `show` and the runtime read. */
export interface ImageRef {
  readonly name: string;
  readonly policy: ImagePolicy;
  /** For 'build': the row's `image_build_context`, relative to the dataset's folder. */
  readonly build?: { readonly context: string; readonly datasetDir?: string; readonly instanceId: string };
  /** Who named it: the user's template, the row's image_name, or the dataset family's naming rule. */
  readonly source: 'template' | 'row' | 'family';
  /** In words, for `show` and the page. */
  readonly reason: string;
}

export interface ImageSettings {
  /** Image name template (overrides the row's image and the family's naming rule). */
  template?: string;
  /** false: never pull, fail when the image is absent (offline use). Default true. */
  allowPull?: boolean;
  /** Folder of the dataset file: row build contexts are relative to it. */
  datasetDir?: string;
}

const FAMILY_LABEL: Record<'swe-gym' | 'swe-bench', string> = { 'swe-gym': 'SWE-Gym', 'swe-bench': 'SWE-bench' };

/** A user's template wins, then the row's own image (built from its context if it has one), then the family's public naming. */
export function imageRefFor(row: TaskInstance, family: DatasetFlavor, settings: ImageSettings = {}): ImageRef {
  const fetchPolicy: ImagePolicy = settings.allowPull === false ? 'local' : 'pull';
  if (settings.template) {
    return { name: expandImageTemplate(settings.template, row), policy: fetchPolicy, source: 'template', reason: `the image template setting (${settings.template})` };
  }
  const naming = family === 'samples' ? 'swe-gym' : family;
  const named = row.image_name
    ? { name: row.image_name, source: 'row' as const, reason: "the row's image_name" }
    : { name: expandImageTemplate(DEFAULT_IMAGE_TEMPLATES[naming], row), source: 'family' as const, reason: `${FAMILY_LABEL[naming]}'s image naming` };
  if (row.image_build_context) {
    return {
      ...named,
      policy: 'build',
      build: { context: row.image_build_context, instanceId: row.instance_id, ...(settings.datasetDir !== undefined ? { datasetDir: settings.datasetDir } : {}) },
      reason: `${named.reason}, built from the row's image_build_context (${row.image_build_context})`,
    };
  }
  return { ...named, policy: fetchPolicy };
}
