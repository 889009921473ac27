import * as assert from 'node:assert/strict';
import { DockerRuntime } from '../../../src/core/runtime/docker/dockerRuntime';
import { findOrphans } from '../../../src/extension/orphans';
import { docker, getApi } from './helpers';

const BASE_IMAGE = process.env.SWE_GYM_BASE_IMAGE ?? 'swe-gym-studio/base:bookworm-1';
const STALE_MS = 3000;

/** A container as a creator that died before its first heartbeat leaves it. */
function leftOver(profile: string, purpose = 'dev'): string {
  const r = docker(
    'run', '-d', '--rm', '--network', 'none',
    '--label', 'io.swe-gym-studio.owner=swe-gym-studio',
    '--label', `io.swe-gym-studio.purpose=${purpose}`,
    '--label', 'io.swe-gym-studio.instance=orphan-test',
    '--label', `io.swe-gym-studio.pid=${process.pid}`,
    '--label', 'io.swe-gym-studio.run=dead0000run0000token',
    '--label', `io.swe-gym-studio.profile=${profile}`,
    BASE_IMAGE, 'sleep', '300',
  );
  assert.equal(r.code, 0, r.out);
  return r.out.trim();
}

describe('leftover containers', function () {
  this.timeout(60_000);
  const made: string[] = [];
  after(() => {
    for (const id of made) docker('rm', '-f', id);
  });

  it("offers this profile's containers whose creator stopped beating, never another window's or another user's", async () => {
    const api = await getApi();
    const runtime = api.runtime();
    const dead = leftOver(runtime.profile);
    const otherUser = leftOver('someone-else@another-machine');
    // Another window of the same profile, still open: its runtime keeps beating (pid label: a live process here too).
    const otherWindow = await new DockerRuntime({ heartbeatMs: 500 }).createContainer({ image: BASE_IMAGE, purpose: 'dev', instanceId: 'orphan-test' });
    made.push(dead, otherUser, otherWindow.id);
    await new Promise((r) => setTimeout(r, STALE_MS + 1000));
    const orphans = (await findOrphans(runtime, api.devContainers.trackedContainerIds(), STALE_MS)).map((c) => c.id);
    assert.ok(orphans.includes(dead), 'the leftover is found');
    assert.ok(!orphans.includes(otherWindow.id), "another window's running container is not offered");
    assert.ok(!orphans.includes(otherUser), "another user's container is not offered");
  });
});
