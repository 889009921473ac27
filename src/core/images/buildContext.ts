import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isInside } from '../hostfs/safeRead';

export class BuildContextError extends Error {
  override name = 'BuildContextError';
}

/**
 * The folder a row's `image_build_context` names, which must lie inside the dataset's folder:
 * a row is data from anywhere, and a context of `../../` would send the user's home to the engine.
 * Links are resolved before the check, so a symlinked context cannot lead out either.
 */
export async function resolveBuildContext(datasetDir: string | undefined, instanceId: string, context: string): Promise<string> {
  const root = path.resolve(datasetDir ?? '.');
  const refuse = (why: string) => new BuildContextError(`${instanceId}: image_build_context ${JSON.stringify(context)} ${why}; a build context must be a folder inside the dataset's folder ${root}.`);
  if (context.includes('\0')) throw refuse('holds a NUL byte');
  if (path.isAbsolute(context)) throw refuse('is an absolute path');
  const abs = path.resolve(root, context);
  if (!isInside(root, abs)) throw refuse('leads out of the dataset folder');
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([fs.realpath(abs), fs.realpath(root)]);
  } catch {
    throw refuse('does not exist');
  }
  if (!isInside(realRoot, real)) throw refuse(`is a link to ${real}, outside the dataset folder`);
  if (!(await fs.stat(real)).isDirectory()) throw refuse('is not a folder');
  return real;
}
