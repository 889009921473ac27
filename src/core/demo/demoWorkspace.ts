import type { ControlShell } from '../agent/tools/controlShell';
import { shellQuote } from '../util/shellQuote';
import type { FileState } from './fileState';
import { readHostState } from './hostTree';

/** What the recorder reads of the repository being worked on. */
export interface DemoWorkspace {
  /** Paths whose content differs from the base commit now: changed, added (not ignored) or deleted. */
  changedFromBase(): Promise<string[]>;
  /** A path as it is now. */
  current(rel: string): Promise<FileState | undefined>;
  /** A path as the base commit has it. */
  base(rel: string): Promise<FileState | undefined>;
}

/**
 * The repository of a container, through a private shell in it (git for what changed and for
 * base contents). With `hostDir` (a dev container's bind-mounted workspace) current contents are
 * read on the host, which costs no round trip: what a save needs.
 *
 * Git only reads here (`--no-optional-locks`, no `add`): the workspace's repository belongs to the
 * host user, and objects or an index written by the container's root would stay root's.
 */
export class ContainerWorkspace implements DemoWorkspace {
  constructor(
    private readonly shell: ControlShell,
    private readonly repoDir: string,
    private readonly baseCommit: string,
    private readonly hostDir?: string,
  ) {}

  async changedFromBase(): Promise<string[]> {
    const git = 'git --no-optional-locks -c core.quotepath=false';
    const r = await this.shell.run(`cd ${shellQuote(this.repoDir)} || exit 1; ${git} diff --name-only --no-renames -z ${shellQuote(this.baseCommit)} -- && ${git} ls-files -o --exclude-standard -z`, { timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`Could not list the changes in ${this.repoDir}: ${r.output.trim().slice(0, 300)}`);
    return [...new Set(r.output.split('\0').filter(Boolean))];
  }

  async current(rel: string): Promise<FileState | undefined> {
    if (this.hostDir) return readHostState(this.hostDir, rel);
    const p = shellQuote(`${this.repoDir}/${rel}`);
    const r = await this.shell.run(`if [ -L ${p} ]; then printf L; readlink ${p} | tr -d '\\n' | base64 -w0; elif [ -f ${p} ]; then if [ -x ${p} ]; then printf X; else printf F; fi; base64 -w0 < ${p}; else printf M; fi`, { timeoutMs: 120_000 });
    return decodeState(r.output, rel);
  }

  async base(rel: string): Promise<FileState | undefined> {
    const r = await this.shell.run(
      `cd ${shellQuote(this.repoDir)} || exit 1; line=$(GIT_LITERAL_PATHSPECS=1 git --no-optional-locks ls-tree ${shellQuote(this.baseCommit)} -- ${shellQuote(rel)}); ` +
        `[ -n "$line" ] || { printf M; exit 0; }; set -- $line; case "$1" in 120000) printf L;; 100755) printf X;; 100644) printf F;; *) printf M; exit 0;; esac; git cat-file blob "$3" | base64 -w0`,
      { timeoutMs: 120_000 },
    );
    if (r.exitCode !== 0) throw new Error(`Could not read ${rel} at the base commit: ${r.output.trim().slice(0, 300)}`);
    return decodeState(r.output, rel);
  }
}

function decodeState(output: string, rel: string): FileState | undefined {
  const kind = output[0];
  const bytes = Buffer.from(output.slice(1).replace(/\s+/g, ''), 'base64');
  if (kind === 'M') return undefined;
  if (kind === 'L') return { kind: 'symlink', target: bytes.toString('utf8') };
  if (kind === 'F' || kind === 'X') return { kind: 'file', bytes, executable: kind === 'X' };
  throw new Error(`Could not read ${rel} in the container: ${output.slice(0, 200)}`);
}
