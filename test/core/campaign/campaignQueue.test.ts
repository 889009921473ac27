import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Campaign, CAMPAIGN_FILE } from '../../../src/core/campaign/campaign';
import { knownIds, readInstanceList } from '../../../src/core/campaign/instanceList';
import { listRunTrajectories } from '../../../src/core/trajectory/exportRows';
import { applyFilter, describeFilter, type TreeFilter } from '../../../src/extension/tree/treeFilter';
import { samples } from '../../support/samples';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-campaign-'));

test('a campaign from the tree filter: its instances in the filter’s order, progress "1 of N", the next one named', async () => {
  const ds = await samples();
  // The tree's own filter and sort (the instances not started yet, by id), as the extension passes its shown instances.
  const filter: TreeFilter = { text: '', repos: new Set(), statuses: new Set(['not-started']), sort: 'id' };
  const picked = applyFilter(ds.instances, filter, (id) => (/argsy|moneta/.test(id) ? 'resolved' : 'not-started')).map((i) => i.instance_id);
  assert.deepEqual(picked, ['swe-gym-studio__confini-7', 'swe-gym-studio__dateranges-21', 'swe-gym-studio__statlite-15', 'swe-gym-studio__textkit-12']);
  const dir = tmp();
  try {
    const c = Campaign.create(dir, { annotator: 'Ann', dataset: 'samples', pickedBy: { kind: 'filter', description: describeFilter(filter) }, instanceIds: picked });
    const p = c.progress();
    assert.deepEqual([p.text, p.total, p.current, p.next, p.finished], [`1 of ${picked.length}`, picked.length, picked[0], picked[1], false]);
    assert.deepEqual(c.items.map((x) => x.instance_id), picked);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, CAMPAIGN_FILE), 'utf8'));
    assert.deepEqual(onDisk.picked_by, { kind: 'filter', description: 'status: not-started · Instance id' });
    assert.equal(onDisk.annotator, 'Ann');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a campaign from a list file: comments and blank lines skipped, unknown ids named with their lines and nothing started', async () => {
  const ds = await samples();
  const known = new Set(ds.instances.map((i) => i.instance_id));
  const dir = tmp();
  try {
    const list = path.join(dir, 'today.txt');
    fs.writeFileSync(list, ['# Monday’s batch', '', 'swe-gym-studio__textkit-12', '  swe-gym-studio__argsy-9   # the parser one', 'swe-gym-studio__moneta-34', ''].join('\r\n'));
    const ids = knownIds(readInstanceList(list), (id) => known.has(id), list, 'samples');
    assert.deepEqual(ids, ['swe-gym-studio__textkit-12', 'swe-gym-studio__argsy-9', 'swe-gym-studio__moneta-34']);

    fs.writeFileSync(list, 'swe-gym-studio__textkit-12\nswe-gym-studio__texkit-12\n# ok\nsympy__sympy-20590\n');
    assert.throws(() => knownIds(readInstanceList(list), (id) => known.has(id), list, 'samples'), (err: Error) => {
      assert.equal(err.message, `${list}: 2 of 3 ids are not in samples: swe-gym-studio__texkit-12 (line 2), sympy__sympy-20590 (line 4). Nothing was started.`);
      return true;
    });
    fs.writeFileSync(list, 'a b\nswe-gym-studio__argsy-9\nswe-gym-studio__argsy-9\n');
    assert.throws(() => readInstanceList(list), /line 1 holds more than one id \("a b"\); line 3 lists swe-gym-studio__argsy-9 again \(first on line 2\)/);
    fs.writeFileSync(list, '# nothing yet\n\n');
    assert.throws(() => readInstanceList(list), /lists no instance ids/);
    assert.throws(() => readInstanceList(path.join(dir, 'missing.txt')), /Cannot read the instance list .*missing\.txt/);
    assert.equal(fs.existsSync(path.join(dir, CAMPAIGN_FILE)), false, 'no campaign was written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('next, skip with a reason, resume from disk after a reload or a crash, and a second window’s change respected', async () => {
  const dir = tmp();
  const ids = ['swe-gym-studio__textkit-12', 'swe-gym-studio__argsy-9', 'swe-gym-studio__moneta-34', 'swe-gym-studio__confini-7'];
  try {
    const c = Campaign.create(dir, { dataset: 'samples', pickedBy: { kind: 'list', file: '/x/today.txt' }, instanceIds: ids });
    c.markStarted(ids[0]!);
    assert.throws(() => c.skip(ids[0]!, '   '), /Say why the instance is skipped/);
    assert.throws(() => c.complete(ids[1]!, { resolved: true }), /swe-gym-studio__argsy-9 is not the campaign's current instance \(it is pending; the current one is swe-gym-studio__textkit-12\)/);
    assert.throws(() => c.skip('nope', 'x'), /nope is not in the campaign/);
    assert.equal(c.complete(ids[0]!, { resolved: true, demonstration: path.join(dir, 'textkit_0.json') }), ids[1]);
    assert.equal(c.skip(ids[1]!, ' needs network access\n'), ids[2]);
    let p = c.progress();
    assert.deepEqual([p.text, p.done, p.skipped, p.current, p.next], ['3 of 4', 1, 1, ids[2], ids[3]]);
    // The CLI reads the same file.
    assert.equal(
      execFileSync(process.execPath, [CLI, 'campaign', 'status', '--dir', dir], { encoding: 'utf8' }),
      `4 instances of samples: 3 of 4\n  1 done (1 resolved), 1 skipped, 2 to go\n  now: ${ids[2]}; next: ${ids[3]}\n  skipped ${ids[1]}: needs network access\n`,
    );

    // A window reload (or a crash after the write returned): the file alone gives the same queue.
    const again = Campaign.load(path.join(dir, CAMPAIGN_FILE));
    assert.deepEqual(again.progress(), p);
    assert.equal(again.items[1]?.reason, 'needs network access');
    assert.equal(again.items[0]?.resolved, true);
    assert.ok(again.items[0]?.started_at && again.items[0]?.ended_at);
    // A crash in the middle of a write leaves the temp file, never a torn campaign.
    fs.writeFileSync(path.join(dir, `${CAMPAIGN_FILE}.tmp-99999`), '{"format": "swe-gym-stu');
    assert.deepEqual(Campaign.open(dir)?.progress(), p);

    // Another window moves on: this one's stale object acts on the file's state, not its own.
    again.skip(ids[2]!, 'flaky tests');
    assert.throws(() => c.complete(ids[2]!, { resolved: false }), /not the campaign's current instance \(it is skipped; the current one is swe-gym-studio__confini-7\)/);
    assert.equal(c.refresh().progress().text, '4 of 4');
    c.complete(ids[3]!, { resolved: false });
    p = c.progress();
    assert.deepEqual([p.text, p.finished, p.current, p.next], ['4 of 4', true, undefined, undefined]);

    // A campaign in progress is not replaced by accident; a finished one is kept beside the new one.
    const next = Campaign.create(dir, { dataset: 'samples', pickedBy: { kind: 'list', file: '/x/tuesday.txt' }, instanceIds: [ids[0]!] });
    assert.throws(() => Campaign.create(dir, { dataset: 'samples', pickedBy: { kind: 'list', file: '/x/w.txt' }, instanceIds: [ids[1]!] }), /A campaign is in progress in .* \(".*", 1 of 1\): resume it, or replace it/);
    Campaign.create(dir, { dataset: 'samples', pickedBy: { kind: 'list', file: '/x/w.txt' }, instanceIds: [ids[1]!] }, { replace: true });
    assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith(`${CAMPAIGN_FILE}.2`)).length, 2, 'both earlier campaigns kept');
    assert.equal(next.refresh().items[0]?.instance_id, ids[1]);
    // The campaign lives beside the demonstrations: exporting the folder is not confused by it.
    assert.deepEqual((await listRunTrajectories(dir)).trajectories, []);

    fs.writeFileSync(path.join(dir, CAMPAIGN_FILE), '{"format":"swe-gym-studio/campaign@1","name":"x","dataset":"d","items":[{"instance_id":"a","state":"current"}]}');
    assert.throws(() => Campaign.open(dir), /item 1 is not \{instance_id, state: pending\|done\|skipped\}/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
