// A difficulty form's unfinished answers on disk, beside the annotator's annotations: they outlive
// the process that kept them (a window reload), belong to one annotator, and bad ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runWritersTogether } from '../../support/writersTogether';
import { AnnotationDrafts, DRAFTS_FILE, DRAFTS_FORMAT, readDraftsFile } from '../../../src/core/annotations/annotationDrafts';
import { ANNOTATIONS_FILE, readAnnotationsFile } from '../../../src/core/annotations/annotationStore';

/** The two stores as compiled beside this test: each child process loads them as another window's extension host does. */
const DRAFTS_MODULE = path.join(__dirname, '../../../src/core/annotations/annotationDrafts.js');
const STORE_MODULE = path.join(__dirname, '../../../src/core/annotations/annotationStore.js');

/**
 * One window of the annotator: opens both stores once, waits for the start signal, then as fast
 * as it can keeps a draft for an instance of its own, stores the answers, and drops a draft every
 * third round (as a finished form does).
 */
function windowScript(dir: string, writer: number, rounds: number): string {
  return `
const fs = require('node:fs');
const path = require('node:path');
const { AnnotationDrafts } = require(${JSON.stringify(DRAFTS_MODULE)});
const { AnnotationStore } = require(${JSON.stringify(STORE_MODULE)});
const drafts = AnnotationDrafts.open(path.join(${JSON.stringify(dir)}, 'Ada', ${JSON.stringify(DRAFTS_FILE)}), 'Ada');
const store = AnnotationStore.open(path.join(${JSON.stringify(dir)}, 'Ada', ${JSON.stringify(ANNOTATIONS_FILE)}), 'Ada');
fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'ready-${writer}'), '');
const wait = () => new Promise((r) => setTimeout(r, 2));
(async () => {
  while (!fs.existsSync(path.join(${JSON.stringify(dir)}, 'go'))) await wait();
  for (let i = 0; i < ${rounds}; i++) {
    const id = 'w${writer}__i-' + i;
    await drafts.put(id, { difficulty: '1-4 hours', notes: 'draft ' + i });
    await store.put({ instance_id: id, annotator: 'Ada', difficulty: '<15 min fix', underspecified: 1, false_negative: 0, notes: 'window ${writer}', annotated_at: new Date().toISOString() });
    if (i % 3 === 0) await drafts.delete(id);
  }
})().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
`;
}

test('drafts: kept per instance across reopening (a reload), replaced, dropped when empty or answered; foreign and bad files refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-drafts-'));
  try {
    const file = path.join(dir, 'Ada', DRAFTS_FILE);
    const first = AnnotationDrafts.open(file, 'Ada');
    assert.equal(first.get('a__a-1'), undefined);
    await first.put('a__a-1', { difficulty: '1-4 hours' });
    await first.put('b__b-2', { difficulty: '<15 min fix', underspecified: 2, notes: 'the issue names the wrong function' });

    // A new process (the window reloaded) reads them back from the file alone.
    const again = AnnotationDrafts.open(file, 'Ada');
    assert.deepEqual(again.get('a__a-1'), { difficulty: '1-4 hours' });
    assert.deepEqual(again.get('b__b-2'), { difficulty: '<15 min fix', underspecified: 2, notes: 'the issue names the wrong function' });
    const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; annotator: string; drafts: Record<string, unknown> };
    assert.equal(body.format, DRAFTS_FORMAT);
    assert.equal(body.annotator, 'Ada');
    assert.deepEqual(Object.keys(body.drafts), ['a__a-1', 'b__b-2']);

    // A later step replaces the draft; answering (delete) or an empty draft drops it.
    await again.put('a__a-1', { difficulty: '1-4 hours', underspecified: 0, false_negative: 3 });
    assert.deepEqual(AnnotationDrafts.open(file, 'Ada').get('a__a-1'), { difficulty: '1-4 hours', underspecified: 0, false_negative: 3 });
    await again.delete('b__b-2');
    await again.put('a__a-1', {});
    assert.deepEqual(readDraftsFile(file).drafts, {});

    // Another annotator's file is never read nor overwritten as ours.
    assert.throws(() => AnnotationDrafts.open(file, 'Bob'), /holds the drafts of "Ada", not "Bob"/);
    // Answers no form can give are refused, and nothing is written.
    const before = fs.readFileSync(file, 'utf8');
    await assert.rejects(() => again.put('c__c-3', { underspecified: 7 as never }), /underspecified must be 0, 1, 2 or 3, got 7/);
    await assert.rejects(() => again.put('c__c-3', { difficulty: 'a week' as never }), /difficulty must be one of/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    // A file that is not a drafts file is an error that names it.
    const stray = path.join(dir, 'stray.json');
    fs.writeFileSync(stray, '{"annotations": {}}');
    assert.throws(() => AnnotationDrafts.open(stray, 'Ada'), (err: Error) => err.message.includes(stray) && /not an annotation drafts file/.test(err.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('two windows of one annotator writing drafts and answers at the same moment: nothing is lost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-drafts-'));
  try {
    const writers = 2;
    const rounds = 30;
    await runWritersTogether(dir, writers, (w) => windowScript(dir, w, rounds), 'window');

    const answers = readAnnotationsFile(path.join(dir, 'Ada', ANNOTATIONS_FILE)).annotations;
    const drafts = readDraftsFile(path.join(dir, 'Ada', DRAFTS_FILE)).drafts;
    for (let w = 0; w < writers; w++) {
      for (let i = 0; i < rounds; i++) {
        const id = `w${w}__i-${i}`;
        assert.equal(answers.find((a) => a.instance_id === id)?.notes, `window ${w}`, `the answers for ${id} kept`);
        if (i % 3 === 0) assert.equal(drafts[id], undefined, `the dropped draft of ${id} stays dropped`);
        else assert.deepEqual(drafts[id], { difficulty: '1-4 hours', notes: `draft ${i}` }, `the draft of ${id} kept`);
      }
    }
    assert.equal(answers.length, writers * rounds);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'Ada')).sort(), [ANNOTATIONS_FILE, DRAFTS_FILE].sort(), 'no lock or temp file left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
