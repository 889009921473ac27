// Records every window of a profile shares in one file (the extension's instance records: reveals,
// runs, the dev container and which windows use it): writers in separate processes lose nothing,
// the records kept before the file are read until the first write, a foreign file is refused; and
// the rules for a dev container two windows use (containerUsers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runWritersTogether } from '../../support/writersTogether';
import { claim, otherUsers, release, withUser, type SharedContainer } from '../../../src/core/devcontainer/containerUsers';
import { RecordFile } from '../../../src/core/util/recordFile';

const RECORD_MODULE = path.join(__dirname, '../../../src/core/util/recordFile.js');
const FORMAT = 'swe-gym-studio/instances@1';

interface Rec {
  history?: string[];
  count?: number;
}

/** One window: waits for the start signal, then adds runs to a record of its own and to the shared one, as fast as it can. */
function writerScript(file: string, dir: string, writer: number, rounds: number): string {
  return `
const fs = require('node:fs');
const path = require('node:path');
const { RecordFile } = require(${JSON.stringify(RECORD_MODULE)});
const records = new RecordFile(${JSON.stringify(file)}, { format: ${JSON.stringify(FORMAT)} });
fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'ready-${writer}'), '');
const wait = () => new Promise((r) => setTimeout(r, 2));
(async () => {
  while (!fs.existsSync(path.join(${JSON.stringify(dir)}, 'go'))) await wait();
  for (let i = 0; i < ${rounds}; i++) {
    await records.update('own-${writer}', (r) => ({ ...r, history: [...(r?.history ?? []), 'run-' + i] }));
    await records.update('shared', (r) => ({ ...r, count: (r?.count ?? 0) + 1, history: [...(r?.history ?? []), 'w${writer}-' + i] }));
  }
})().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
`;
}

test('writers in separate processes at the same moment: no record and no change is lost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-records-'));
  try {
    const file = path.join(dir, 'instances.json');
    const writers = 3;
    const rounds = 25;
    await runWritersTogether(dir, writers, (w) => writerScript(file, dir, w, rounds));

    const records = new RecordFile<Rec>(file, { format: FORMAT });
    for (let w = 0; w < writers; w++) assert.deepEqual(records.get(`own-${w}`)?.history, Array.from({ length: rounds }, (_, i) => `run-${i}`), `writer ${w}'s own record whole`);
    assert.equal(records.get('shared')?.count, writers * rounds, 'every change of the shared record kept');
    assert.equal(new Set(records.get('shared')?.history).size, writers * rounds);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.lock') || n.includes('.tmp')), [], 'no lock or temp file left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the records kept before the file are read until the first write takes them over; removal; a foreign file is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-records-'));
  try {
    const file = path.join(dir, 'instances.json');
    let legacy: Record<string, Rec> | undefined = { old: { history: ['r0'] }, other: { count: 2 } };
    const records = new RecordFile<Rec>(file, { format: FORMAT, legacy: () => legacy });
    assert.deepEqual(records.get('old'), { history: ['r0'] });
    assert.equal(fs.existsSync(file), false, 'reading writes nothing');
    await records.update('new', () => ({ count: 1 }));
    legacy = undefined; // The old key may be gone or stale after the takeover: the file is what counts.
    assert.deepEqual(records.all(), { old: { history: ['r0'] }, other: { count: 2 }, new: { count: 1 } });
    assert.equal(await records.update('other', () => undefined), undefined);
    assert.deepEqual(Object.keys(new RecordFile<Rec>(file, { format: FORMAT }).all()).sort(), ['new', 'old']);
    // A change to the record as the caller last saw it would be stale: `change` gets what the file holds now.
    const elsewhere = new RecordFile<Rec>(file, { format: FORMAT });
    await elsewhere.update('new', (r) => ({ count: (r?.count ?? 0) + 10 }));
    await records.update('new', (r) => ({ count: (r?.count ?? 0) + 1 }));
    assert.equal(records.get('new')?.count, 12);

    const foreign = path.join(dir, 'foreign.json');
    fs.writeFileSync(foreign, '{"format":"someone-else@1","records":{}}');
    const refused = new RecordFile<Rec>(foreign, { format: FORMAT });
    assert.deepEqual(refused.all(), {});
    assert.match(refused.problem ?? '', /foreign\.json is not a file of swe-gym-studio\/instances@1/);
    await assert.rejects(() => refused.update('x', () => ({ count: 1 })), /not a file of/);
    assert.equal(fs.readFileSync(foreign, 'utf8'), '{"format":"someone-else@1","records":{}}', 'never overwritten');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a dev container two windows use: Stop in one leaves it to the other live one; a launch at the same moment takes the live one', () => {
  const alive = new Set(['A', 'B']);
  const isAlive = (u: string) => alive.has(u);
  const launchedByA = claim<SharedContainer>(undefined, { containerId: 'c1' }, 'A', isAlive);
  assert.deepEqual(launchedByA, { containerId: 'c1', users: ['A'] });
  // B launches the same instance at the same moment: A's live container stays the instance's, B uses it too.
  assert.deepEqual(claim<SharedContainer>(launchedByA, { containerId: 'c2' }, 'B', isAlive), { containerId: 'c1', users: ['A', 'B'] });
  const shared = withUser(launchedByA, 'B', isAlive);
  assert.deepEqual(otherUsers(shared, 'A', isAlive), ['B']);
  // Stop in A: B still uses it, so it stays, and only B is named.
  assert.deepEqual(release(shared, 'c1', 'A', isAlive), { next: { containerId: 'c1', users: ['B'] }, remove: false, others: ['B'] });
  // B's window is gone (closed or killed): Stop in A removes it, and the record goes.
  alive.delete('B');
  assert.deepEqual(release(shared, 'c1', 'A', isAlive), { next: undefined, remove: true, others: [] });
  // A record of a dead window's container is taken over by a new launch; one written before users existed counts as nobody's.
  assert.deepEqual(claim<SharedContainer>({ containerId: 'c1', users: ['B'] }, { containerId: 'c3' }, 'A', isAlive), { containerId: 'c3', users: ['A'] });
  assert.deepEqual(release({ containerId: 'c1' }, 'c1', 'A', isAlive).remove, true);
  // Another container recorded (the other window's): this window removes its own and leaves the record alone.
  const theirs = { containerId: 'c9', users: ['A'] };
  assert.equal(release(theirs, 'c1', 'B', isAlive).next, theirs);
  // Joining drops users that are gone and names this window once.
  assert.deepEqual(withUser({ containerId: 'c1', users: ['B', 'A'] }, 'A', isAlive), { containerId: 'c1', users: ['A'] });
});
