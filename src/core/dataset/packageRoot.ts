import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'swe-gym-studio';

let cachedRoot: string | undefined;

/**
 * The folder holding our package.json. Found by walking up from this file, so it works from
 * out/src/core/dataset (tests), dist/ (bundles) and an installed extension alike.
 */
export function resolvePackageRoot(startDir: string = __dirname): string {
  if (startDir === __dirname && cachedRoot !== undefined) return cachedRoot;
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (readPackageName(candidate) === PACKAGE_NAME) {
      if (startDir === __dirname) cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the ${PACKAGE_NAME} package root above ${startDir}`);
    }
    dir = parent;
  }
}

function readPackageName(file: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && 'name' in parsed && typeof parsed.name === 'string') {
      return parsed.name;
    }
  } catch {
    // Missing or unreadable package.json: keep walking up.
  }
  return undefined;
}

/** The bundled samples dataset (small, self-contained task instances with their own images). */
export function resolveSamplesFile(): string {
  return path.join(resolvePackageRoot(), 'samples', 'samples.jsonl');
}
