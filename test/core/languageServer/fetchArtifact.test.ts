import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeArtifactFor, PYRIGHT } from '../../../src/core/languageServer/artifacts';
import { ArtifactDownloadError, ArtifactIntegrityError, cachedArtifact, fetchArtifact } from '../../../src/core/languageServer/fetchArtifact';
import { isAbortError } from '../../../src/core/util/abortError';
import { LS_CACHE, testArtifacts } from '../../support/languageServer';

/** A registry stand-in on 127.0.0.1 answering every tarball path with `body` (for failures npm never gives us). */
async function withRegistry<T>(handler: http.RequestListener, fn: (url: string) => Promise<T>): Promise<T> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('pyright and Node are fetched from npm once, verified, and then served from the cache', async () => {
  const first = await testArtifacts();
  const node = path.join(first.cacheDir, first.nodeDir, 'bin', 'node');
  assert.ok(fs.statSync(node).mode & 0o001, 'node is executable by everyone');
  assert.ok(fs.existsSync(path.join(first.cacheDir, first.pyrightDir, 'langserver.index.js')));
  assert.ok(!fs.existsSync(path.join(first.cacheDir, first.nodeDir, 'include')), 'only the binary of the Node package is kept');
  const t = Date.now();
  const again = await testArtifacts();
  assert.equal(again.downloadedBytes, 0);
  assert.ok(Date.now() - t < 2000, 'a cached fetch touches no network');
  assert.equal(cachedArtifact(PYRIGHT, LS_CACHE), path.join(LS_CACHE, PYRIGHT.dir));
});

test('a tarball that does not match the pinned hash is refused and nothing is cached', async () => {
  const real = fs.readFileSync(path.join(LS_CACHE, PYRIGHT.dir, 'package.json'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-cache-'));
  try {
    // A well-formed gzip of something else: only the hash can tell.
    const { gzipSync } = await import('node:zlib');
    await withRegistry(
      (_req, res) => res.end(gzipSync(real)),
      async (registry) => {
        await assert.rejects(fetchArtifact(PYRIGHT, { cacheDir, registry }), (e: unknown) => e instanceof ArtifactIntegrityError && /pinned integrity/.test(e.message) && e.message.includes(PYRIGHT.integrity));
      },
    );
    await withRegistry(
      (_req, res) => {
        res.statusCode = 404;
        res.end('not found');
      },
      async (registry) => {
        await assert.rejects(fetchArtifact(PYRIGHT, { cacheDir, registry }), (e: unknown) => e instanceof ArtifactDownloadError && /HTTP 404/.test(e.message));
      },
    );
    assert.deepEqual(fs.readdirSync(cacheDir), [], 'no partial folder or tarball left');
    assert.equal(cachedArtifact(PYRIGHT, cacheDir), undefined);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a cancelled download stops, leaves nothing behind, and says so', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-cache-'));
  try {
    await withRegistry(
      (_req, res) => {
        // Trickles forever; only the cancel ends it.
        res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 20);
        res.on('close', () => clearInterval(timer));
      },
      async (registry) => {
        const abort = new AbortController();
        const seen: number[] = [];
        const fetching = fetchArtifact(nodeArtifactFor('amd64'), {
          cacheDir,
          registry,
          signal: abort.signal,
          onProgress: (p) => {
            if (p.phase === 'download') seen.push(p.receivedBytes ?? 0);
            if ((p.receivedBytes ?? 0) > 1024 * 1024) abort.abort();
          },
        });
        await assert.rejects(fetching, (e: unknown) => isAbortError(e) && /cancelled/.test((e as Error).message));
        assert.ok(seen.length > 0 && seen.every((n, i) => i === 0 || n >= (seen[i - 1] ?? 0)), 'progress reported as bytes arrive');
      },
    );
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('an architecture without a Node build is a clear error', () => {
  assert.throws(() => nodeArtifactFor('s390x'), /No Node build for containers of architecture s390x/);
  assert.equal(nodeArtifactFor('x86_64').dir, nodeArtifactFor('amd64').dir);
});
