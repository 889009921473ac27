/**
 * A folder of other scaffolds' runs of the textkit sample, as a user would open it: the format
 * fixtures the core tests use, plus what real folders hold: an ATIF run that records tokens and
 * cost, a corrupt file, and a SWE-Gym row whose file says resolved while its patch fixes nothing
 * and whose recorded `git status` (step 6) names another file than today's environment gives.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FIXTURES = path.join(__dirname, '../../../test/fixtures/trajectories');
/** A patch that applies and fixes nothing. */
export const NOT_A_FIX = 'diff --git a/NOTES.md b/NOTES.md\nnew file mode 100644\n--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1 @@\n+not a fix\n';
export const ATIF_USAGE = { prompt_tokens: 1234, completion_tokens: 56, cost_usd: 0.0123 };

export function makeImportFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-imports-'));
  fs.cpSync(path.join(FIXTURES, 'formats'), dir, { recursive: true });

  const atifFile = path.join(dir, 'atif', 'trajectory.json');
  const atif = JSON.parse(fs.readFileSync(atifFile, 'utf8')) as { steps: { source: string; metrics?: Record<string, number> }[]; final_metrics: Record<string, number> };
  const firstAgent = atif.steps.find((x) => x.source === 'agent');
  if (!firstAgent) throw new Error('the ATIF fixture has no agent step');
  firstAgent.metrics = { ...ATIF_USAGE };
  Object.assign(atif.final_metrics, { total_prompt_tokens: ATIF_USAGE.prompt_tokens, total_completion_tokens: ATIF_USAGE.completion_tokens, total_cost_usd: ATIF_USAGE.cost_usd });
  fs.writeFileSync(atifFile, JSON.stringify(atif));

  fs.mkdirSync(path.join(dir, 'broken'));
  fs.writeFileSync(path.join(dir, 'broken', 'garbage.json'), '{ "instance_id": "swe-gym-studio__textkit-12", "messages": [ truncated');

  const row = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'formats', 'swe-gym', 'rows.jsonl'), 'utf8').split('\n')[0] ?? '') as { test_result: { git_patch: string }; messages: { role: string; content: string }[] };
  row.test_result.git_patch = NOT_A_FIX;
  const status = row.messages.find((m) => m.role === 'tool' && m.content.includes('git status --short'));
  if (!status) throw new Error('the SWE-Gym fixture has no git status step');
  status.content = status.content.replace(' M textkit/align.py', ' M textkit/width.py');
  fs.mkdirSync(path.join(dir, 'tampered'));
  fs.writeFileSync(path.join(dir, 'tampered', 'rows.jsonl'), `${JSON.stringify(row)}\n`);
  return dir;
}
