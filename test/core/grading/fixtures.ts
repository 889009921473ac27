import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';

// Compiled to out/test/core/grading; the logs stay in the source tree.
const LOGS = path.resolve(__dirname, '../../../../test/fixtures/logs');

export function fixtureLog(name: string): string {
  return fs.readFileSync(path.join(LOGS, name), 'utf8');
}

export function makeInstance(fields: Partial<TaskInstance> = {}): TaskInstance {
  return {
    instance_id: 'getmoto__moto-7365',
    repo: 'getmoto/moto',
    base_commit: '1a2b3c4d5e6f',
    patch: '',
    test_patch: '',
    problem_statement: '',
    hints_text: '',
    created_at: '',
    version: '5.0',
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
    ...fields,
  };
}
