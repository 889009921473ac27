import type { DatasetFlavor } from '../dataset/taskInstance';

/** SWE-bench and SWE-Gym images keep the task's environment in this conda env. */
export const CONDA_TESTBED_PYTHON = '/opt/miniconda3/envs/testbed/bin/python';
/** The sample images' interpreter: Debian's python3, linked here by the base image (scripts/lib/base-layout.Dockerfile). */
export const SAMPLES_PYTHON = '/usr/local/bin/python';

export interface SpecPython {
  /** The interpreter the hidden tests run with, in the container: language servers resolve imports with it. */
  readonly interpreter: string;
  readonly reason: string;
}

/** The image's interpreter, by the family's image layout. */
export function pythonFor(flavor: DatasetFlavor): SpecPython {
  if (flavor === 'samples') {
    return { interpreter: SAMPLES_PYTHON, reason: "the sample images have no conda env: their tests run with Debian's python3 (and its python3-pytest), linked at /usr/local/bin/python by the base image" };
  }
  return { interpreter: CONDA_TESTBED_PYTHON, reason: `${flavor === 'swe-bench' ? 'SWE-bench' : 'SWE-Gym'} images install the repository and its dependencies into the conda env testbed, which the eval script activates before the tests` };
}
