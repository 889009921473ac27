// A difficulty form's unfinished answers on disk, beside the annotator's annotations: they outlive
// the process that kept them (a window reload), belong to one annotator, and bad ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnnotationDrafts, DRAFTS_FILE, DRAFTS_FORMAT, readDraftsFile } from '../../../src/core/annotations/annotationDrafts';

test('drafts: kept per instance across reopening (a reload), replaced, dropped when empty or answered; foreign and bad files refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-drafts-'));
  try {
    const file = path.join(dir, 'Ada', DRAFTS_FILE);
    const first = AnnotationDrafts.open(file, 'Ada');
    assert.equal(first.get('a__a-1'), undefined);
    first.put('a__a-1', { difficulty: '1-4 hours' });
    first.put('b__b-2', { difficulty: '<15 min fix', underspecified: 2, notes: 'the issue names the wrong function' });

    // A new process (the window reloaded) reads them back from the file alone.
    const again = AnnotationDrafts.open(file, 'Ada');
    assert.deepEqual(again.get('a__a-1'), { difficulty: '1-4 hours' });
    assert.deepEqual(again.get('b__b-2'), { difficulty: '<15 min fix', underspecified: 2, notes: 'the issue names the wrong function' });
    const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; annotator: string; drafts: Record<string, unknown> };
    assert.equal(body.format, DRAFTS_FORMAT);
    assert.equal(body.annotator, 'Ada');
    assert.deepEqual(Object.keys(body.drafts), ['a__a-1', 'b__b-2']);

    // A later step replaces the draft; answering (delete) or an empty draft drops it.
    again.put('a__a-1', { difficulty: '1-4 hours', underspecified: 0, false_negative: 3 });
    assert.deepEqual(AnnotationDrafts.open(file, 'Ada').get('a__a-1'), { difficulty: '1-4 hours', underspecified: 0, false_negative: 3 });
    again.delete('b__b-2');
    again.put('a__a-1', {});
    assert.deepEqual(readDraftsFile(file).drafts, {});

    // Another annotator's file is never read nor overwritten as ours.
    assert.throws(() => AnnotationDrafts.open(file, 'Bob'), /holds the drafts of "Ada", not "Bob"/);
    // Answers no form can give are refused, and nothing is written.
    const before = fs.readFileSync(file, 'utf8');
    assert.throws(() => again.put('c__c-3', { underspecified: 7 as never }), /underspecified must be 0, 1, 2 or 3, got 7/);
    assert.throws(() => again.put('c__c-3', { difficulty: 'a week' as never }), /difficulty must be one of/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    // A file that is not a drafts file is an error that names it.
    const stray = path.join(dir, 'stray.json');
    fs.writeFileSync(stray, '{"annotations": {}}');
    assert.throws(() => AnnotationDrafts.open(stray, 'Ada'), (err: Error) => err.message.includes(stray) && /not an annotation drafts file/.test(err.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
