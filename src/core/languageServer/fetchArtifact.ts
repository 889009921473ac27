import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { abortError, isAbortError } from '../util/abortError';
import type { ArtifactSpec } from './artifacts';

/** Written last into a complete artifact folder: its presence is what "cached" means. */
const MARKER = '.swe-gym-artifact.json';

export interface ArtifactProgress {
  artifact: string;
  phase: 'cached' | 'download' | 'extract' | 'done';
  receivedBytes?: number;
  /** From Content-Length; undefined when the registry does not say. */
  totalBytes?: number;
}

export interface FetchOptions {
  cacheDir: string;
  /** npm registry base URL (a mirror works the same). */
  registry: string;
  onProgress?: (p: ArtifactProgress) => void;
  signal?: AbortSignal;
}

export interface FetchedArtifact {
  dir: string;
  cached: boolean;
  /** Tarball bytes downloaded (0 when cached). */
  downloadedBytes: number;
}

export class ArtifactIntegrityError extends Error {
  override name = 'ArtifactIntegrityError';
}

export class ArtifactDownloadError extends Error {
  override name = 'ArtifactDownloadError';
}

interface Marker {
  integrity: string;
  tarballBytes: number;
  fetchedAt: string;
}

/** The pinned integrity a complete artifact folder was checked against (undefined when it is not complete). */
export function artifactIntegrity(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as Marker).integrity;
  } catch {
    return undefined;
  }
}

/** The artifact's folder when a complete copy with the pinned integrity is in the cache. */
export function cachedArtifact(spec: ArtifactSpec, cacheDir: string): string | undefined {
  const dir = path.join(cacheDir, spec.dir);
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as Marker;
    if (marker.integrity === spec.integrity && fs.statSync(path.join(dir, spec.entry)).isFile()) return dir;
  } catch {
    // Missing or half-written: fetched again.
  }
  return undefined;
}

/**
 * Downloads the package tarball once into `cacheDir/spec.dir`, checking it against the pinned
 * sha512 before anything is extracted. Extraction goes to a sibling folder renamed into place,
 * so a cancelled, failed or concurrent fetch never leaves a half-made artifact that looks cached.
 */
export async function fetchArtifact(spec: ArtifactSpec, options: FetchOptions): Promise<FetchedArtifact> {
  const progress = options.onProgress ?? (() => undefined);
  const hit = cachedArtifact(spec, options.cacheDir);
  if (hit) {
    progress({ artifact: spec.dir, phase: 'cached' });
    return { dir: hit, cached: true, downloadedBytes: 0 };
  }
  fs.mkdirSync(options.cacheDir, { recursive: true });
  const partial = path.join(options.cacheDir, `${spec.dir}.partial-${randomBytes(4).toString('hex')}`);
  const tarball = `${partial}.tgz`;
  try {
    const bytes = await download(spec, options, tarball, progress);
    progress({ artifact: spec.dir, phase: 'extract', receivedBytes: bytes, totalBytes: bytes });
    fs.mkdirSync(partial);
    await extract(tarball, partial, spec.keep, options.signal);
    if (!fs.existsSync(path.join(partial, spec.entry))) throw new ArtifactDownloadError(`The ${spec.dir} package has no ${spec.entry}.`);
    const marker: Marker = { integrity: spec.integrity, tarballBytes: bytes, fetchedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(partial, MARKER), JSON.stringify(marker, null, 2) + '\n');
    const dir = path.join(options.cacheDir, spec.dir);
    // An incomplete copy (no marker) from an older crash is replaced; a complete one from a
    // concurrent fetch is kept and ours dropped.
    if (!cachedArtifact(spec, options.cacheDir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      try {
        fs.renameSync(partial, dir);
      } catch (err) {
        if (!cachedArtifact(spec, options.cacheDir)) throw err;
      }
    }
    progress({ artifact: spec.dir, phase: 'done', receivedBytes: bytes, totalBytes: bytes });
    return { dir, cached: false, downloadedBytes: bytes };
  } finally {
    fs.rmSync(tarball, { force: true });
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

async function download(spec: ArtifactSpec, options: FetchOptions, file: string, progress: (p: ArtifactProgress) => void): Promise<number> {
  const url = options.registry.replace(/\/+$/, '') + spec.tarballPath;
  const [algorithm, expected] = splitIntegrity(spec.integrity);
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (err) {
    if (isAbortError(err, options.signal)) throw abortError(`Downloading ${spec.dir}`);
    throw new ArtifactDownloadError(`Cannot download ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
  if (!response.ok || !response.body) throw new ArtifactDownloadError(`Cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length')) || undefined;
  const hash = createHash(algorithm);
  let received = 0;
  let lastReport = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      received += chunk.length;
      if (received - lastReport > 512 * 1024) {
        lastReport = received;
        progress({ artifact: spec.dir, phase: 'download', receivedBytes: received, totalBytes: total });
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), meter, fs.createWriteStream(file), { signal: options.signal });
  } catch (err) {
    if (isAbortError(err, options.signal)) throw abortError(`Downloading ${spec.dir}`);
    throw new ArtifactDownloadError(`Downloading ${url} failed after ${received} bytes: ${(err as Error).message}`);
  }
  const actual = hash.digest('base64');
  if (actual !== expected) {
    throw new ArtifactIntegrityError(`${url} does not match its pinned integrity: expected ${algorithm}-${expected}, got ${algorithm}-${actual} (${received} bytes). Nothing was extracted.`);
  }
  return received;
}

function splitIntegrity(integrity: string): [string, string] {
  const m = /^(sha512|sha384|sha256)-([A-Za-z0-9+/=]+)$/.exec(integrity);
  if (!m) throw new Error(`Unsupported integrity string ${integrity}`);
  return [m[1] as string, m[2] as string];
}

/** npm tarballs put everything under `package/`; only regular files and folders are taken. */
async function extract(tarball: string, into: string, keep: ((p: string) => boolean) | undefined, signal?: AbortSignal): Promise<void> {
  const ex = tarStream.extract();
  ex.on('entry', (header, stream, next) => {
    const rel = header.name.replace(/^[^/]+\//, '');
    const wanted = (header.type === 'file' || header.type === 'directory') && rel !== '' && !rel.split('/').includes('..') && !path.isAbsolute(rel) && (!keep || keep(rel));
    if (!wanted || header.type === 'directory') {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    const target = path.join(into, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Readable by every user: the container may run the server as a non-root user.
    const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
    const out = fs.createWriteStream(target, { mode });
    stream.pipe(out);
    out.on('finish', () => next());
    out.on('error', (e) => next(e));
  });
  await pipeline(fs.createReadStream(tarball), createGunzip(), ex, { signal });
}
