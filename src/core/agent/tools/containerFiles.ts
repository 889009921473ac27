import { shellQuote } from '../../util/shellQuote';
import type { ControlShell } from './controlShell';

export type PathKind = 'file' | 'directory' | 'other' | 'missing';

/** File access the editor needs, kept apart so the editor's rules read without plumbing. */
export interface EditorFiles {
  kind(path: string): Promise<PathKind>;
  read(path: string): Promise<Buffer>;
  write(path: string, content: string): Promise<void>;
  /** `find -L <dir> -maxdepth 2 -not -path '*\/.*'`, as SWE-Gym's editor listed directories. */
  listTwoLevels(dir: string): Promise<{ stdout: string; failed: boolean }>;
}

const MAX_READ_BYTES = 32 * 1024 * 1024;

/** EditorFiles through the rollout's control shell; every path is single-quoted. */
export function containerFiles(shell: ControlShell): EditorFiles {
  return {
    async kind(path) {
      const q = shellQuote(path);
      const r = await shell.run(`if [ -d ${q} ]; then echo directory; elif [ -f ${q} ]; then echo file; elif [ -e ${q} ]; then echo other; else echo missing; fi`);
      const k = r.output.trim();
      return k === 'directory' || k === 'file' || k === 'other' ? k : 'missing';
    },
    async read(path) {
      const q = shellQuote(path);
      const r = await shell.run(`s=$(wc -c < ${q}) || exit 3; [ "$s" -le ${MAX_READ_BYTES} ] || { echo "$s"; exit 4; }; base64 < ${q}`);
      if (r.exitCode === 4) throw new Error(`The file ${path} is too large to read (${r.output.trim()} bytes).`);
      if (r.exitCode !== 0) throw new Error(`Could not read ${path}: ${r.output.trim()}`);
      return Buffer.from(r.output.replace(/\s+/g, ''), 'base64');
    },
    async write(path, content) {
      const q = shellQuote(path);
      const b64 = Buffer.from(content, 'utf8').toString('base64').replace(/.{1,76}/g, '$&\n');
      const r = await shell.run(`mkdir -p "$(dirname ${q})" && base64 -d > ${q} <<'SWE_GYM_EOF'\n${b64}SWE_GYM_EOF`);
      if (r.exitCode !== 0) throw new Error(`Could not write ${path}: ${r.output.trim()}`);
    },
    async listTwoLevels(dir) {
      const r = await shell.run(`find -L ${shellQuote(dir)} -maxdepth 2 -not -path '*/\\.*'`);
      return { stdout: r.output, failed: r.exitCode !== 0 };
    },
  };
}
