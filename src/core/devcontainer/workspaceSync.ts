import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tarStream from 'tar-stream';
import type { ContainerHandle } from '../runtime/containerRuntime';
import { isInside } from '../hostfs/safeRead';
import { writeRegularFile } from '../hostfs/safeWrite';
import { REPO_DIR } from './devShell';

/** A file (or a symbolic link: `link` is its target) as one side last saw it; a change of any field is an edit. */
interface Stamp {
  size: number;
  mtime: string;
  mode: number;
  link?: string;
}

type Manifest = Map<string, Stamp>;

export interface SyncReport {
  direction: 'push' | 'pull';
  /** Relative paths written on the receiving side. */
  written: string[];
  deleted: string[];
  /** Edited on both sides since the last sync: on push the host's copy wins; on pull the host's copy is kept (and pushed on the next push). */
  conflicts: string[];
  /** Symbolic links not synced because they lead outside the workspace (each reported once). */
  outsideLinks: string[];
  ms: number;
}

/** The top-level names that are never synced: the repository metadata and the read-only .vscode. */
const SKIPPED = new Set(['.git', '.vscode']);
const PULL_TAR = '/tmp/.swe-gym-sync.tar';

/**
 * The workspace of a dev container on a remote engine, where the host folder cannot be
 * bind-mounted: the host folder and the container's /testbed are kept the same by copying through
 * the engine's archive API. Both sides are compared with what each looked like at the last sync
 * (size, mtime, mode of regular files; the repository metadata and .vscode are not synced), so only
 * edits travel, and a file edited on both sides is reported, never silently lost.
 * push: host -> container (on save, before a grade). pull: container -> host (after a command in
 * the terminal, on a schedule, before a diff is shown). A symbolic link is synced as a link (never
 * followed) when its relative target stays inside the workspace; one leading outside is reported
 * and left where it is.
 */
export class WorkspaceSync {
  private base = new Map<string, { host?: Stamp; container?: Stamp }>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reportedLinks = new Set<string>();

  constructor(
    private readonly container: ContainerHandle,
    readonly workspaceDir: string,
    private readonly repoDir = REPO_DIR,
  ) {}

  /** Takes both sides as they are now as the synced state (right after the launch made them equal). */
  async start(signal?: AbortSignal): Promise<void> {
    const [host, inside] = [hostManifest(this.workspaceDir), await this.containerManifest(signal)];
    this.base = new Map();
    for (const [p, s] of host) this.base.set(p, { host: s });
    for (const [p, s] of inside) this.base.set(p, { ...this.base.get(p), container: s });
  }

  /** Host -> container: files saved, added or deleted on the host since the last sync. One at a time with pull. */
  push(signal?: AbortSignal): Promise<SyncReport> {
    return this.serial(() => this.doPush(signal));
  }

  /** Container -> host: files the container changed since the last sync. */
  pull(signal?: AbortSignal): Promise<SyncReport> {
    return this.serial(() => this.doPull(signal));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doPush(signal?: AbortSignal): Promise<SyncReport> {
    const t = Date.now();
    const host = hostManifest(this.workspaceDir);
    const inside = await this.containerManifest(signal);
    const written: string[] = [];
    const deleted: string[] = [];
    const conflicts: string[] = [];
    const outsideLinks = this.outside(host);
    for (const [p, s] of host) {
      const was = this.base.get(p);
      if (same(s, was?.host) || outsideLinks.includes(p)) continue;
      if (!same(inside.get(p), was?.container)) conflicts.push(p);
      written.push(p);
    }
    for (const [p, was] of this.base) if (was.host && !host.has(p)) deleted.push(p);
    const files = written.filter((p) => host.get(p)?.link === undefined).map((p) => ({ path: `${this.repoDir}/${p}`, content: fs.readFileSync(path.join(this.workspaceDir, p)), mode: host.get(p)!.mode }));
    // A link replacing a file (or the reverse) goes first; putFiles writes over a link's path, not through it.
    const links = written.filter((p) => host.get(p)?.link !== undefined);
    if (deleted.length) await this.run(['bash', '-c', LINK_SCRIPT, 'sync', this.repoDir], signal, deleted.flatMap((p) => ['rm', p, '']).join('\0') + '\0');
    await putLinks(this.container, this.repoDir, links.map((p) => [p, host.get(p)!.link!]), signal);
    for (let i = 0; i < files.length; i += 200) await this.container.putFiles(files.slice(i, i + 200));
    const after = written.length || deleted.length ? await this.containerManifest(signal) : inside;
    for (const p of [...written, ...deleted]) this.remember(p, host.get(p), after.get(p));
    return { direction: 'push', written, deleted, conflicts, outsideLinks: this.newlyReported(outsideLinks, host), ms: Date.now() - t };
  }

  private async doPull(signal?: AbortSignal): Promise<SyncReport> {
    const t = Date.now();
    const inside = await this.containerManifest(signal);
    const host = hostManifest(this.workspaceDir);
    const wanted: string[] = [];
    const deleted: string[] = [];
    const conflicts: string[] = [];
    const outsideLinks = this.outside(inside);
    for (const [p, s] of inside) {
      const was = this.base.get(p);
      if (same(s, was?.container) || outsideLinks.includes(p)) continue;
      if (!same(host.get(p), was?.host)) conflicts.push(p);
      else wanted.push(p);
    }
    for (const [p, was] of this.base) {
      if (!was.container || inside.has(p)) continue;
      if (!same(host.get(p), was.host)) conflicts.push(p);
      else deleted.push(p);
    }
    for (const p of deleted) removeEntry(this.workspaceDir, p);
    const links = wanted.filter((p) => inside.get(p)?.link !== undefined);
    for (const p of links) {
      removeEntry(this.workspaceDir, p);
      const abs = path.join(this.workspaceDir, p);
      mkdirInside(this.workspaceDir, path.dirname(abs));
      fs.symlinkSync(inside.get(p)!.link!, abs);
    }
    const files = wanted.filter((p) => inside.get(p)?.link === undefined);
    const written = [...links, ...(files.length ? await this.fetch(files, signal) : [])];
    const now = hostManifest(this.workspaceDir);
    for (const p of [...written, ...deleted]) this.remember(p, now.get(p), inside.get(p));
    return { direction: 'pull', written, deleted, conflicts, outsideLinks: this.newlyReported(outsideLinks, inside), ms: Date.now() - t };
  }

  /** One tar made in the container, read through the archive API, checked entry by entry. */
  private async fetch(paths: string[], signal?: AbortSignal): Promise<string[]> {
    await this.run(['sh', '-c', 'tar -C "$1" --null --no-recursion -cf "$2" -T - && chmod 600 "$2"', 'sync', this.repoDir, PULL_TAR], signal, paths.join('\0') + '\0');
    const tar = await this.container.readFile(PULL_TAR);
    await this.run(['rm', '-f', PULL_TAR], signal);
    const asked = new Set(paths);
    const written: string[] = [];
    for (const entry of await readTar(tar)) {
      const rel = entry.name.replace(/^\.\//, '');
      // Code in the container chose these bytes: only the files asked for, only regular files, only inside.
      if (!asked.has(rel) || entry.type !== 'file') continue;
      const abs = path.join(this.workspaceDir, rel);
      if (!isInside(this.workspaceDir, abs)) continue;
      mkdirInside(this.workspaceDir, path.dirname(abs));
      // A link that became a file: the link goes (never written through), the file takes its place.
      if (fs.lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(abs);
      const exists = fs.lstatSync(abs, { throwIfNoEntry: false }) !== undefined;
      await writeRegularFile(this.workspaceDir, abs, entry.content, { create: !exists, overwrite: exists });
      fs.chmodSync(abs, entry.mode & 0o755);
      written.push(rel);
    }
    return written;
  }

  /** The links of a side whose target leaves the workspace (absolute, or up past its root). */
  private outside(side: Manifest): string[] {
    return [...side].filter(([p, s]) => s.link !== undefined && !linkStaysInside(p, s.link)).map(([p]) => p);
  }

  /** Outside links not reported before (the timer pulls every few seconds: say it once). */
  private newlyReported(paths: string[], side: Manifest): string[] {
    const fresh = paths.filter((p) => !this.reportedLinks.has(`${p}\0${side.get(p)?.link}`));
    for (const p of fresh) this.reportedLinks.add(`${p}\0${side.get(p)?.link}`);
    return fresh;
  }

  private remember(p: string, host: Stamp | undefined, inside: Stamp | undefined): void {
    if (!host && !inside) this.base.delete(p);
    else this.base.set(p, { host, container: inside });
  }

  private async containerManifest(signal?: AbortSignal): Promise<Manifest> {
    const prune = [...SKIPPED].flatMap((n, i) => [...(i ? ['-o'] : []), '-path', `./${n}`]);
    const r = await this.container.exec(['find', '.', '-xdev', '(', ...prune, ')', '-prune', '-o', '(', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '%y\\0%s\\0%T@\\0%m\\0%l\\0%P\\0'], { cwd: this.repoDir, signal, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`Could not list ${this.repoDir} in the container for the workspace sync: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    const m: Manifest = new Map();
    const fields = r.stdout.split('\0');
    for (let i = 0; i + 5 < fields.length; i += 6) {
      const [type, size, mtime, mode, target, name] = fields.slice(i, i + 6) as [string, string, string, string, string, string];
      if (!name) continue;
      m.set(name, type === 'l' ? linkStamp(target) : { size: Number(size), mtime, mode: parseInt(mode || '644', 8) });
    }
    return m;
  }

  private async run(cmd: string[], signal?: AbortSignal, stdin?: string): Promise<void> {
    const r = await this.container.exec(cmd, { signal, stdin, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`Workspace sync: \`${cmd[0]}\` failed in the container: ${r.output.trim() || `exit ${r.exitCode}`}`);
  }
}

function same(a: Stamp | undefined, b: Stamp | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.size === b.size && a.mtime === b.mtime && a.mode === b.mode && a.link === b.link);
}

/** A link is its target alone (its own times and mode mean nothing). */
function linkStamp(target: string): Stamp {
  return { size: 0, mtime: '', mode: 0, link: target };
}

/**
 * A relative target that, read from the link's folder, stays below the workspace root: some `..`
 * first (no deeper than the link), then names only. A `..` after a name could climb out of a folder
 * reached through another link, so it counts as outside; so does a target that is only `..`s (a
 * link to an ancestor makes a loop).
 */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (!target || target.startsWith('/')) return false;
  const parts = target.split('/').filter((x) => x && x !== '.');
  const ups = parts.findIndex((x) => x !== '..');
  if (ups === -1 || parts.slice(ups).includes('..')) return false;
  const depth = path.posix.dirname(linkPath) === '.' ? 0 : path.posix.dirname(linkPath).split('/').length;
  return ups <= depth;
}

/**
 * Run in the container with NUL-separated triples on stdin: `rm PATH -` removes a file or link,
 * `ln PATH TARGET` puts a link there (replacing a file or link, never a folder: a link is not made inside it).
 */
const LINK_SCRIPT = `cd "$1" || exit 1
while IFS= read -r -d '' op && IFS= read -r -d '' p && IFS= read -r -d '' t; do
  if [ -d "$p" ] && [ ! -L "$p" ]; then continue; fi
  rm -f -- "$p" || exit 1
  if [ "$op" = ln ]; then mkdir -p -- "$(dirname -- "$p")" && ln -s -- "$t" "$p" || exit 1; fi
done`;

/** Makes these links (path relative to `repoDir`, target) in the container, replacing files or links there. */
export async function putLinks(container: ContainerHandle, repoDir: string, links: [string, string][], signal?: AbortSignal): Promise<void> {
  if (!links.length) return;
  const r = await container.exec(['bash', '-c', LINK_SCRIPT, 'sync', repoDir], { signal, stdin: links.flatMap(([p, t]) => ['ln', p, t]).join('\0') + '\0', timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`Workspace sync: making links in the container failed: ${r.output.trim() || `exit ${r.exitCode}`}`);
}

/** Removes a file or a link (never what it points to, never a folder) inside the workspace. */
function removeEntry(root: string, rel: string): void {
  const abs = path.join(root, rel);
  if (!isInside(root, abs)) return;
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (st?.isFile() || st?.isSymbolicLink()) fs.unlinkSync(abs);
}

/** The host folder's regular files and links (links not followed, the skipped top-level names left out). */
function hostManifest(root: string): Manifest {
  const m: Manifest = new Map();
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!rel && SKIPPED.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (e.isSymbolicLink()) m.set(r, linkStamp(fs.readlinkSync(path.join(dir, e.name))));
      else if (e.isFile()) {
        const st = fs.lstatSync(path.join(dir, e.name));
        m.set(r, { size: st.size, mtime: String(st.mtimeMs), mode: st.mode & 0o777 });
      }
    }
  };
  walk(root, '');
  return m;
}

/** Makes the folders down to `dir`, refusing any step that is a link or leaves the root. */
function mkdirInside(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  let at = root;
  for (const part of rel ? rel.split(path.sep) : []) {
    at = path.join(at, part);
    const st = fs.lstatSync(at, { throwIfNoEntry: false });
    if (!st) fs.mkdirSync(at);
    else if (!st.isDirectory()) throw new Error(`Workspace sync: ${at} is not a folder (a link or a file); nothing is written below it.`);
  }
}

function readTar(tar: Buffer): Promise<{ name: string; type: string; mode: number; content: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: { name: string; type: string; mode: number; content: Buffer }[] = [];
    const extract = tarStream.extract();
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        out.push({ name: header.name, type: header.type ?? 'file', mode: header.mode ?? 0o644, content: Buffer.concat(parts) });
        next();
      });
    });
    extract.on('finish', () => resolve(out));
    extract.on('error', reject);
    extract.end(tar);
  });
}
