import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Content hash of a build context: paths, modes and bytes, in a stable order. */
export async function hashBuildContext(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) {
        hash.update(`d ${r}\n`);
        await walk(r);
      } else if (e.isFile()) {
        const full = path.join(dir, r);
        const [bytes, st] = await Promise.all([fs.readFile(full), fs.stat(full)]);
        hash.update(`f ${r} ${st.mode & 0o111 ? 'x' : '-'} ${bytes.length}\n`);
        hash.update(bytes);
      } else if (e.isSymbolicLink()) {
        // Packed as a link (never followed), so its text is what the build sees.
        hash.update(`l ${r} ${await fs.readlink(path.join(dir, r))}\n`);
      }
    }
  };
  await walk('');
  return hash.digest('hex').slice(0, 16);
}
