import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEvaluation } from '../../src/core/harness/runEvaluation';
import { loadPredictions } from '../../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import { EngineUnavailableError } from '../../src/core/runtime/errors';
import { TEST_SESSION } from '../support/docker';
import { samples } from '../support/samples';
import { SSH_ENGINE, SSH_SETTINGS, sshRuntime } from './remoteSupport';

const CLI = path.resolve(__dirname, '../../src/cli/index.js');

test('an engine reached over ssh:// (sshd on 127.0.0.1) grades a sample: gold resolves, the untouched base does not, nothing left behind', async () => {
  const runtime = sshRuntime();
  assert.equal(runtime.remote, true, 'an ssh:// engine is remote: no bind mounts');
  await runtime.ping();
  assert.equal(await runtime.engineKind(), 'docker');
  const ds = await samples();
  const id = 'swe-gym-studio__argsy-9';
  const gold = (await loadPredictions('gold', ds)).filter((p) => p.instance_id === id);
  const started = Date.now();
  const resolved = await runEvaluation(runtime, ds, gold, { sessionId: TEST_SESSION, allowPull: false });
  const ms = Date.now() - started;
  assert.equal(resolved.results[0]?.status, 'resolved', `${resolved.results[0]?.error ?? ''}\n${resolved.results[0]?.testLog.slice(-1500) ?? ''}`);
  const base = await runEvaluation(runtime, ds, gold.map((p) => ({ ...p, model_patch: '' })), { sessionId: TEST_SESSION, allowPull: false, runEmptyPatch: true });
  assert.equal(base.results[0]?.status, 'unresolved');
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left behind');
  console.log(`gold grade over ssh:// took ${ms} ms`);
});

test('ssh:// refuses a host whose key is not in known_hosts, and names the fix', async () => {
  const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-kh-')), 'known_hosts');
  fs.writeFileSync(empty, '');
  const stranger = new DockerRuntime({ engine: SSH_ENGINE, connect: { ssh: { ...SSH_SETTINGS, knownHostsFile: empty } } });
  await assert.rejects(stranger.ping(), (err: Error) => {
    assert.ok(err instanceof EngineUnavailableError, String(err));
    assert.match(err.message, /\[127\.0\.0\.1\]:\d+ is not in known_hosts.*ssh-keyscan -p \d+ 127\.0\.0\.1/);
    return true;
  });
  // A different key listed for the host: refused as a changed key.
  fs.writeFileSync(empty, `${fs.readFileSync(SSH_SETTINGS.knownHostsFile, 'utf8').split(' ')[0]} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq5zQFm8O8c1n2f5fS3m4m6hJmQw8q3y2nN7rj6p0qX\n`);
  const changed = new DockerRuntime({ engine: SSH_ENGINE, connect: { ssh: { ...SSH_SETTINGS, knownHostsFile: empty } } });
  await assert.rejects(changed.ping(), /does not match known_hosts/);
});

test('`swe-gym eval --engine ssh://...` grades over SSH with the key and known_hosts from the environment', () => {
  const env = { ...process.env, SWE_GYM_SSH_IDENTITY: SSH_SETTINGS.identityFile, SWE_GYM_SSH_KNOWN_HOSTS: SSH_SETTINGS.knownHostsFile };
  const r = spawnSync(process.execPath, [CLI, 'eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', 'swe-gym-studio__confini-7', '--no-pull', '--engine', SSH_ENGINE, '--json'], { env, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"resolved": ?true/);
  const stranger = spawnSync(process.execPath, [CLI, 'eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', 'swe-gym-studio__confini-7', '--no-pull', '--engine', SSH_ENGINE], { env: { ...env, SWE_GYM_SSH_KNOWN_HOSTS: '/dev/null' }, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(stranger.status, 0);
  assert.match(stranger.stderr, /not in known_hosts/);
});
