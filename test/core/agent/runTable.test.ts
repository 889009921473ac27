import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runWritersTogether } from '../../support/writersTogether';
import { RunTable, RUN_TABLE_FORMAT, type RunTableRow } from '../../../src/core/agent/runTable';

/** The table module as compiled beside this test: each child process loads it as another window's extension host does. */
const TABLE_MODULE = path.join(__dirname, '../../../src/core/agent/runTable.js');

interface Row extends RunTableRow {
  steps: number;
  writer?: number;
}

const row = (instanceId: string, rolloutId: string, index: number, startedAt = new Date().toISOString()): Row => ({ rolloutId, instanceId, index, startedAt, steps: 0 });

/**
 * One writer: waits for the start signal, then, as fast as it can, takes an index and writes a new
 * row for it (alternating between two instances), and adds 1 to the shared row's steps.
 */
function writerScript(file: string, writer: number, rounds: number, dir: string): string {
  return `
const fs = require('node:fs');
const path = require('node:path');
const { RunTable } = require(${JSON.stringify(TABLE_MODULE)});
const table = new RunTable(${JSON.stringify(file)});
fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'ready-${writer}'), '');
const wait = () => new Promise((r) => setTimeout(r, 2));
(async () => {
  while (!fs.existsSync(path.join(${JSON.stringify(dir)}, 'go'))) await wait();
  for (let i = 0; i < ${rounds}; i++) {
    const instanceId = i % 2 ? 'inst-b' : 'inst-a';
    const index = await table.reserveIndex(instanceId);
    await table.upsert({ rolloutId: 'w${writer}-' + i, instanceId, index, startedAt: new Date().toISOString(), steps: 0, writer: ${writer} });
    await table.patch('inst-a', 'shared', (r) => ({ ...r, steps: r.steps + 1 }));
  }
})().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
`;
}

test('writers in separate processes at the same moment: no row, no change and no index is lost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-run-table-'));
  const file = path.join(dir, 'agent-runs.json');
  const table = new RunTable<Row>(file);
  await table.upsert(row('inst-a', 'shared', 0, '2000-01-01T00:00:00.000Z'));
  const writers = 4;
  const rounds = 30;
  await runWritersTogether(dir, writers, (w) => writerScript(file, w, rounds, dir));

  const all = [...table.rows('inst-a'), ...table.rows('inst-b')];
  const written = all.filter((r) => r.rolloutId !== 'shared');
  assert.equal(written.length, writers * rounds, 'every row every writer wrote is there');
  for (let w = 0; w < writers; w++) for (let i = 0; i < rounds; i++) assert.ok(written.some((r) => r.rolloutId === `w${w}-${i}`), `w${w}-${i} kept`);
  assert.equal(table.rows('inst-a').find((r) => r.rolloutId === 'shared')?.steps, writers * rounds, 'every change to the shared row is kept');
  for (const id of ['inst-a', 'inst-b']) {
    const indexes = table.rows(id).filter((r) => r.rolloutId !== 'shared').map((r) => r.index);
    assert.equal(new Set(indexes).size, indexes.length, `${id}: no index handed out twice`);
  }
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.lock') || n.includes('.tmp')), [], 'no lock or temp file left behind');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the table kept before the file is read, and taken over by the first write', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-run-table-'));
  const file = path.join(dir, 'agent-runs.json');
  const legacy: Record<string, Row[]> = { old: [row('old', 'r1', 0, '2026-01-01T00:00:00.000Z'), row('old', 'r0', 1, '2025-01-01T00:00:00.000Z')] };
  const table = new RunTable<Row>(file, { legacy: () => legacy });
  assert.deepEqual(table.rows('old').map((r) => r.rolloutId), ['r1', 'r0']);
  assert.equal(await table.reserveIndex('old'), 2, 'indexes go on after the old rows');
  assert.ok(fs.existsSync(file));
  legacy.old = [];
  const fresh = new RunTable<Row>(file, { legacy: () => ({ old: [] }) });
  assert.deepEqual(fresh.rows('old').map((r) => r.rolloutId), ['r1', 'r0'], 'once written, the file is the table');
  assert.equal(await fresh.reserveIndex('old'), 3);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a file that is not a table is never overwritten; a lock left by a dead writer is taken over', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-run-table-'));
  const file = path.join(dir, 'agent-runs.json');
  fs.writeFileSync(file, '{"instances": {');
  const table = new RunTable<Row>(file);
  assert.deepEqual(table.rows('x'), []);
  assert.match(table.problem ?? '', /agent-runs\.json is not valid JSON/);
  await assert.rejects(table.upsert(row('x', 'r', 0)), /agent-runs\.json is not valid JSON/);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"instances": {');

  fs.writeFileSync(file, JSON.stringify({ format: RUN_TABLE_FORMAT, instances: {}, nextIndex: {} }));
  // What a writer killed while holding the lock leaves: the lock directory, no longer refreshed.
  fs.mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.lock`, old, old);
  await table.upsert(row('x', 'r', 0));
  assert.equal(table.rows('x').length, 1);
  assert.equal(fs.existsSync(`${file}.lock`), false);
  fs.rmSync(dir, { recursive: true, force: true });
});
