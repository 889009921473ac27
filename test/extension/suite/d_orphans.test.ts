import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { findOrphans } from '../../../src/extension/orphans';
import { docker, getApi } from './helpers';

const BASE_IMAGE = process.env.SWE_GYM_BASE_IMAGE ?? 'swe-gym-studio/base:bookworm-1';

function labelled(pid: number): string {
  const r = docker(
    'run', '-d', '--rm',
    '--label', 'io.swe-gym-studio.owner=swe-gym-studio',
    '--label', 'io.swe-gym-studio.purpose=eval',
    '--label', 'io.swe-gym-studio.instance=orphan-test',
    '--label', `io.swe-gym-studio.pid=${pid}`,
    '--label', `io.swe-gym-studio.host=${os.hostname()}`,
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

  it('finds ours whose creating process is gone, and leaves live ones alone', async () => {
    const api = await getApi();
    const dead = labelled(2_147_000_000);
    const alive = labelled(process.pid);
    made.push(dead, alive);
    const orphans = (await findOrphans(api.runtime(), api.sessions.trackedContainerIds())).map((c) => c.id);
    assert.ok(orphans.includes(dead), 'the orphan is found');
    assert.ok(!orphans.includes(alive), 'a container of a live process is not an orphan');
  });
});
