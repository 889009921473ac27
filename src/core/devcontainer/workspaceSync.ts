// Over 400 lines: the sync's two directions, the one-exec container script they share and the synced state kept for other windows belong together.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tarStream from 'tar-stream';
import type { ContainerHandle } from '../runtime/containerRuntime';
import { isInside } from '../hostfs/safeRead';
import { writeRegularFile } from '../hostfs/safeWrite';
import { withFileLock } from '../util/lockedJsonFile';
import { REPO_DIR } from './devShell';

/** A file (or a symbolic link: `link` is its target) as one side last saw it; a change of any field is an edit. */
interface Stamp {
  size: number;
  mtime: string;
  mode: number;
  link?: string;
}

type Manifest = Map<string, Stamp>;

/** One side's files as they were at a moment (opaque outside this module). */
export interface ContainerState {
  readonly manifest: Manifest;
}

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
/** A pull larger than this at once fails with a clear message rather than filling memory. */
const MAX_PULL_BYTES = 1024 * 1024 * 1024;
/** Waiting for another window's push or pull: backing off, for up to a few minutes (a large pull), then this one fails and the next one tries again. */
const SHARED_RETRIES = { retries: 400, minTimeout: 5, maxTimeout: 500, factor: 1.3, randomize: true };

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
  /** The kept synced state's file as this sync last read or wrote it (inode, mtime, size). */
  private baseSeen: string | undefined;

  /**
   * `baseFile`: where the synced state is kept between windows (outside anything the container
   * sees), so a sync resumed after a reload still takes the edits neither side had synced. With
   * it, the syncs of one workspace in several windows (a second window joining the container) are
   * one sync: each push or pull takes that state under a lock the windows share and leaves it
   * there, so no window acts on a state another one has moved past (pushing back the host copy
   * of a file the container edited again since the other window pulled it).
   */
  constructor(
    private readonly container: ContainerHandle,
    readonly workspaceDir: string,
    private readonly repoDir = REPO_DIR,
    private readonly baseFile?: string,
  ) {}

  /** The synced state a sync of this workspace kept in `baseFile`; false when there is none to take (then start()). */
  resume(): boolean {
    if (!this.baseFile) return false;
    try {
      const seen = fileKey(this.baseFile);
      const saved = JSON.parse(fs.readFileSync(this.baseFile, 'utf8')) as [string, { host?: Stamp; container?: Stamp }][];
      this.base = new Map(saved);
      this.baseSeen = seen;
      return true;
    } catch {
      return false;
    }
  }

  private keep(): void {
    if (!this.baseFile) return;
    const tmp = `${this.baseFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify([...this.base]));
    fs.renameSync(tmp, this.baseFile);
    this.baseSeen = fileKey(this.baseFile);
  }

  /**
   * Takes both sides as they are now as the synced state (right after the launch made them equal),
   * or the container's side as `containerState` saw it before the host copy was read from it (an
   * early launch: what the container changed since then comes across on the first pull).
   */
  async start(signal?: AbortSignal, containerBase?: ContainerState): Promise<void> {
    const [host, inside] = [hostManifest(this.workspaceDir), containerBase?.manifest ?? (await this.containerManifest(signal))];
    this.base = new Map();
    for (const [p, s] of host) this.base.set(p, { host: s });
    for (const [p, s] of inside) this.base.set(p, { ...this.base.get(p), container: s });
    this.keep();
  }

  /** The container's side now, for a later start(). */
  async containerState(signal?: AbortSignal): Promise<ContainerState> {
    return { manifest: await this.containerManifest(signal) };
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
    const one = this.baseFile ? () => this.shared(this.baseFile!, work) : work;
    const next = this.queue.then(one, one);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `work` on the synced state as the last window left it, under the lock all windows' syncs of the workspace take. */
  private shared<T>(baseFile: string, work: () => Promise<T>): Promise<T> {
    return withFileLock(
      baseFile,
      () => {
        if (fileKey(baseFile) !== this.baseSeen) this.resume();
        return work();
      },
      SHARED_RETRIES,
    );
  }

  private async doPush(signal?: AbortSignal): Promise<SyncReport> {
    const t = Date.now();
    const host = hostManifest(this.workspaceDir);
    const outsideLinks = this.outside(host);
    const skip = new Set(outsideLinks);
    const written: string[] = [];
    const deleted: string[] = [];
    const conflicts: string[] = [];
    for (const [p, s] of host) if (!same(s, this.base.get(p)?.host) && !skip.has(p)) written.push(p);
    for (const [p, was] of this.base) if (was.host && !host.has(p)) deleted.push(p);
    // Only the host's side decides what travels, so nothing changed there costs no round trip.
    if (written.length || deleted.length) {
      const { before, after } = await this.apply(written, deleted, host, signal);
      for (const p of written) if (!same(before.get(p), this.base.get(p)?.container)) conflicts.push(p);
      for (const p of [...written, ...deleted]) this.remember(p, host.get(p), after.get(p));
      this.keep();
    }
    return { direction: 'push', written, deleted, conflicts, outsideLinks: this.newlyReported(outsideLinks, host), ms: Date.now() - t };
  }

  /**
   * One exec makes the container agree with the host on these paths: the deletions and links as
   * NUL-separated triples on stdin, then the files as a tar; it prints each path's stamp before
   * (a container-side edit since the last sync is a conflict) and after.
   */
  private async apply(written: string[], deleted: string[], host: Manifest, signal?: AbortSignal): Promise<{ before: Manifest; after: Manifest }> {
    const files = written.filter((p) => host.get(p)?.link === undefined);
    const ops = [...deleted.flatMap((p) => ['rm', p, '']), ...written.flatMap((p) => (host.get(p)?.link === undefined ? ['put', p, ''] : ['ln', p, host.get(p)!.link!])), 'end', '', files.length ? 'tar' : ''];
    const tar = files.length ? await packFiles(files.map((p) => ({ name: p, mode: host.get(p)!.mode, content: fs.readFileSync(path.join(this.workspaceDir, p)) }))) : Buffer.alloc(0);
    const r = await this.container.exec(['bash', '-c', PUSH_SCRIPT, 'sync', this.repoDir], { signal, stdin: Buffer.concat([Buffer.from(ops.join('\0') + '\0'), tar]), timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`Workspace sync: writing the host's edits into the container failed: ${r.stderr.trim() || (r.cancelled ? 'cancelled' : `exit ${r.exitCode}`)}`);
    const before: Manifest = new Map();
    const after: Manifest = new Map();
    const fields = r.stdout.split('\0');
    for (let i = 0; i + 6 < fields.length; i += 7) {
      const [tag, name, ...stamp] = fields.slice(i, i + 7) as [string, string, string, string, string, string, string];
      (tag === 'B' ? before : after).set(name.replace(/^\.\//, ''), stampOf(...(stamp as [string, string, string, string, string])));
    }
    return { before, after };
  }

  private async doPull(signal?: AbortSignal): Promise<SyncReport> {
    const t = Date.now();
    const inside = await this.containerManifest(signal);
    const host = hostManifest(this.workspaceDir);
    const wanted: string[] = [];
    const deleted: string[] = [];
    const conflicts: string[] = [];
    const outsideLinks = this.outside(inside);
    const skip = new Set(outsideLinks);
    for (const [p, s] of inside) {
      const was = this.base.get(p);
      if (same(s, was?.container) || skip.has(p)) continue;
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
    if (written.length || deleted.length) this.keep();
    return { direction: 'pull', written, deleted, conflicts, outsideLinks: this.newlyReported(outsideLinks, inside), ms: Date.now() - t };
  }

  /** One exec writes a tar of these files to its stdout; it is checked entry by entry. */
  private async fetch(paths: string[], signal?: AbortSignal): Promise<string[]> {
    // `./` first: a name from the container that starts with a dash is not read as a tar option.
    // A file gone since the listing is left out (it shows as deleted on the next pull).
    const r = await this.container.exec(['tar', '-C', this.repoDir, '--null', '--no-recursion', '--ignore-failed-read', '-cf', '-', '-T', '-'], { signal, stdin: paths.map((p) => `./${p}\0`).join(''), rawStdout: true, maxOutputBytes: MAX_PULL_BYTES, timeoutMs: 300_000 });
    if (r.exitCode !== 0 || r.truncated) throw new Error(`Workspace sync: reading the container's edits failed: ${r.truncated ? `more than ${MAX_PULL_BYTES} bytes at once` : r.stderr.trim() || (r.cancelled ? 'cancelled' : `exit ${r.exitCode}`)}`);
    const asked = new Set(paths);
    const written: string[] = [];
    for (const entry of await readTar(r.stdoutBytes ?? Buffer.alloc(0))) {
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
      m.set(name, stampOf(type, size, mtime, mode, target));
    }
    return m;
  }

}

/** What changes when a file is replaced or written (undefined: there is none). */
function fileKey(file: string): string | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st && `${st.ino}:${st.mtimeMs}:${st.size}`;
}

function same(a: Stamp | undefined, b: Stamp | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.size === b.size && a.mtime === b.mtime && a.mode === b.mode && a.link === b.link);
}

/** A stamp from find's `%y %s %T@ %m %l`. */
function stampOf(type: string, size: string, mtime: string, mode: string, target: string): Stamp {
  return type === 'l' ? linkStamp(target) : { size: Number(size), mtime, mode: parseInt(mode || '644', 8) };
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
 * Run in the container from the workspace root `$1`. stdin: NUL-separated triples, `rm PATH -`
 * removes a file or link, `ln PATH TARGET` puts a link there, `put PATH -` clears a link where a
 * file from the tar goes (a file replaces a link, never writes through it); a folder is never
 * replaced. `end - tar` closes the list, and the tar of the `put` files follows when its third
 * field says so (bash reads a pipe byte by byte, so tar gets the rest). Prints every listed path's
 * stamp before (B) and after (A): tag, ./path, then find's `%y %s %T@ %m %l`, NUL-separated.
 */
const PUSH_SCRIPT = `cd "$1" || exit 1
ps=(); ops=(); ts=(); tar=
while IFS= read -r -d '' op && IFS= read -r -d '' p && IFS= read -r -d '' t; do
  if [ "$op" = end ]; then tar=$t; break; fi
  ops+=("$op"); ps+=("$p"); ts+=("$t")
done
stamps() {
  [ \${#ps[@]} -eq 0 ] || printf './%s\\0' "\${ps[@]}" | xargs -0 sh -c 'find "$@" -maxdepth 0 \\( -type f -o -type l \\) -printf "$0\\0%p\\0%y\\0%s\\0%T@\\0%m\\0%l\\0" 2>/dev/null; true' "$1"
}
stamps B
for i in "\${!ps[@]}"; do
  p=\${ps[i]}
  if [ -d "$p" ] && [ ! -L "$p" ]; then continue; fi
  case \${ops[i]} in
    rm) rm -f -- "$p" || exit 1 ;;
    ln) { rm -f -- "$p" && mkdir -p -- "$(dirname -- "$p")" && ln -s -- "\${ts[i]}" "$p"; } || exit 1 ;;
    put) if [ -L "$p" ]; then rm -f -- "$p" || exit 1; fi ;;
  esac
done
if [ "$tar" = tar ]; then tar -xpf - || exit 1; fi
stamps A`;

/** Makes these links (path relative to `repoDir`, target) in the container, replacing files or links there. */
export async function putLinks(container: ContainerHandle, repoDir: string, links: [string, string][], signal?: AbortSignal): Promise<void> {
  if (!links.length) return;
  const r = await container.exec(['bash', '-c', PUSH_SCRIPT, 'sync', repoDir], { signal, stdin: [...links.flatMap(([p, t]) => ['ln', p, t]), 'end', '', ''].join('\0') + '\0', timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`Workspace sync: making links in the container failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/** A tar of these files (names relative to the workspace root). */
function packFiles(files: { name: string; mode: number; content: Buffer }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const parts: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (d: Buffer) => parts.push(d));
    pack.on('end', () => resolve(Buffer.concat(parts)));
    pack.on('error', reject);
  });
  for (const f of files) pack.entry({ name: f.name, mode: f.mode }, f.content);
  pack.finalize();
  return done;
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
