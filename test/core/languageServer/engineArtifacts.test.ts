import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_REGISTRY } from '../../../src/core/languageServer/artifacts';
import { artifactsPerEngine } from '../../../src/core/languageServer/engineArtifacts';
import { DockerRuntime } from '../../../src/core/runtime/docker/dockerRuntime';
import { runtime } from '../../support/docker';
import { LS_CACHE } from '../../support/languageServer';

/** The ELF header's machine field: 0x3e x86-64, 0xb7 aarch64. */
function elfMachine(file: string): number {
  const head = fs.readFileSync(file).subarray(0, 20);
  assert.equal(head.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is not an ELF binary`);
  return head.readUInt16LE(18);
}

const MACHINE: Record<string, number> = { amd64: 0x3e, arm64: 0xb7 };

test("a pool's engines each get the Node of their own architecture, fetched once per architecture", async () => {
  // The engine says its architecture (a remote engine need not share this host's).
  const engineArch = await runtime.engineArchitecture();
  assert.equal(engineArch, execFileSync('docker', ['version', '--format', '{{.Server.Arch}}'], { encoding: 'utf8' }).trim());
  const other = engineArch === 'arm64' ? 'amd64' : 'arm64';
  // Two engines of this machine, and a stand-in for a host of the other architecture (none can run
  // here): only its answer to "which architecture" is made up; its Node is really fetched and checked.
  const engines = [
    { name: 'docker', runtime },
    { name: 'docker-again', runtime: new DockerRuntime() },
    { name: `remote-${other}`, runtime: { engineArchitecture: () => Promise.resolve(other) } },
  ];
  const fetched = await artifactsPerEngine(engines, { cacheDir: LS_CACHE, registry: process.env.SWE_GYM_NPM_REGISTRY ?? DEFAULT_REGISTRY });
  assert.deepEqual(fetched.architectures, [engineArch, other]);
  const here = fetched.byEngine.get('docker');
  const there = fetched.byEngine.get(`remote-${other}`);
  assert.ok(here && there);
  assert.equal(fetched.byEngine.get('docker-again'), here, 'engines of one architecture share one fetch');
  assert.equal(here.pyrightDir, there.pyrightDir, 'one pyright for all');
  assert.notEqual(here.nodeDir, there.nodeDir);
  assert.equal(elfMachine(path.join(LS_CACHE, here.nodeDir, 'bin', 'node')), MACHINE[engineArch]);
  assert.equal(elfMachine(path.join(LS_CACHE, there.nodeDir, 'bin', 'node')), MACHINE[other]);
});
