// The adversarial reproduction of history cheating (issue 8 item 1): the textkit sample's image
// carries the fix commit, a later release commit, tag v0.2.0, branch release/0.2 and reflogs past
// the base commit, as real SWE-Gym images carry the upstream clone. A scripted agent (the model is
// a real HTTP server speaking the OpenAI protocol, see test/support/fakeOpenAIServer.ts) digs
// through git in every kind of solver container (a rollout as `swe-gym rollout` runs it, a fork,
// a replay) and must find nothing past the base commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAIChatProvider } from '../../../src/core/agent/model/openaiProvider';
import { forkRollout, replayRow } from '../../../src/core/agent/replay';
import { runRollouts } from '../../../src/core/agent/runRollouts';
import type { StampedEvent } from '../../../src/core/agent/events';
import { ensureImage } from '../../../src/core/images/ensureImage';
import { toSweGymRow } from '../../../src/core/trajectory/exportRows';
import { loadClosedTrajectory, readTrajectoryEvents } from '../../../src/core/trajectory/readTrajectory';
import { byTurn, startFakeOpenAIServer, type FakeReply, type FakeScript } from '../../support/fakeOpenAIServer';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const ID = 'swe-gym-studio__textkit-12';

/** Everything the image's repository holds that the base commit does not reach, read from a plain container of the image. */
async function futureOf(image: string, base: string): Promise<{ commits: string[]; objects: string[] }> {
  const c = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION, network: 'none' });
  try {
    const all = await c.exec(['sh', '-c', 'git rev-list --objects --all --reflog | cut -d" " -f1 | sort -u'], { cwd: '/testbed' });
    const reach = await c.exec(['sh', '-c', `git rev-list --objects ${base} | cut -d" " -f1 | sort -u`], { cwd: '/testbed' });
    const commits = await c.exec(['git', 'rev-list', '--all', '--reflog', '--not', base], { cwd: '/testbed' });
    const reachable = new Set(reach.stdout.split('\n').filter(Boolean));
    return { commits: commits.stdout.split('\n').filter(Boolean), objects: all.stdout.split('\n').filter((id) => id && !reachable.has(id)) };
  } finally {
    await c.remove();
  }
}

/** The digging a cheating agent does, as one shell command (the object ids are what it hopes to find). */
function digging(objects: string[]): string {
  return [
    'cd /testbed',
    'git log --all --oneline',
    'git tag',
    'git reflog --all',
    'git for-each-ref',
    'git stash list',
    'git cat-file --batch-all-objects --batch-check',
    'git fsck --unreachable --no-reflogs 2>&1',
    'git log --all -p -- tests | grep -c test_pad_counts_display_cells',
    'git grep -c test_pad_counts_display_cells $(git rev-list --all) -- tests',
    'cat .git/packed-refs .git/ORIG_HEAD .git/FETCH_HEAD 2>/dev/null',
    `for id in ${objects.join(' ')}; do git cat-file -e "$id" 2>/dev/null && echo "FOUND $id"; done`,
    'echo DIG-DONE',
  ].join('; ');
}

const dig = (objects: string[]): FakeReply => ({ content: 'Let me see what git knows.', toolCalls: [{ name: 'execute_bash', arguments: { command: digging(objects) } }] });
const finish: FakeReply = { toolCalls: [{ name: 'finish', arguments: {} }] };

/** Every observation of a rollout, checked for anything past the base commit. */
function assertNothingPastBase(events: readonly StampedEvent[], future: { commits: string[]; objects: string[] }, base: string, where: string): void {
  const commands = new Map(events.flatMap((e) => (e.type === 'tool_call' ? [[e.toolCall.id, String((JSON.parse(e.toolCall.function.arguments) as { command?: string }).command)] as const] : [])));
  // The terminal echoes the command (which names the ids it looks for): only its output counts.
  const observations = events.flatMap((e) => (e.type === 'observation' && e.name === 'execute_bash' ? [e.content.replace(commands.get(e.toolCallId) ?? '', '')] : []));
  assert.ok(observations.length > 0, `${where}: the agent ran its commands`);
  for (const text of observations) {
    assert.match(text, /DIG-DONE/, `${where}: the digging ran to its end`);
    assert.ok(text.includes(base.slice(0, 7)), `${where}: git log shows the base commit (so the commands worked)`);
    for (const needle of ['v0.2.0', 'release/0.2', 'FOUND ', 'Release 0.2.0', 'measure display width', 'unreachable ', 'dangling ']) {
      assert.ok(!text.includes(needle), `${where}: "${needle}" is visible to the agent:\n${text.slice(0, 3000)}`);
    }
    for (const id of future.objects) assert.ok(!text.includes(id), `${where}: object ${id} from after the base commit is visible`);
    for (const id of future.commits) assert.ok(!text.includes(id.slice(0, 7)), `${where}: commit ${id.slice(0, 7)} from after the base commit is visible`);
    // The hidden test's name appears in no commit the agent can reach: both counts are 0.
    assert.match(text, /\n0\r?\n/, `${where}: the hidden test name is in no reachable commit`);
  }
}

test('no commit, tag, ref, reflog entry or object past the base commit reaches an agent: rollout (as the CLI runs it), fork and replay', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const spec = await sampleSpec(inst);
  const { image } = await ensureImage(runtime, spec.image);
  const future = await futureOf(image, inst.base_commit);
  assert.ok(future.commits.length >= 2 && future.objects.length > future.commits.length, `the image holds the future (${future.commits.length} commits, ${future.objects.length} objects)`);

  let script: FakeScript = byTurn([dig(future.objects), finish]);
  const server = await startFakeOpenAIServer((req, prev) => script(req, prev));
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-history-'));
  const model = () => new OpenAIChatProvider({ model: 'scripted-cheater', baseURL: server.baseURL, apiKey: 'unused' });
  const common = { runtime, spec, sessionId: TEST_SESSION, reward: false as const };
  try {
    // 1. A rollout in its own container, through the function `swe-gym rollout` calls.
    const run = await runRollouts(runtime, ds, { instances: [inst], n: 1, workers: 1, outDir: out, modelFactory: model, allowPull: false, sessionId: TEST_SESSION, reward: false });
    const [result] = run.results;
    assert.ok(result?.trajectoryPath && result.eventsPath, result?.message);
    assert.equal(result.exitReason, 'finished', result.message);
    const { events } = await readTrajectoryEvents(result.eventsPath);
    assertNothingPastBase(events, future, inst.base_commit, 'rollout');
    assert.deepEqual(result.environment, { container: 'fresh', startedClean: true, counted: true });

    // 2. A fork from step 1: the digging is replayed in a fresh container, then the model digs again.
    const source = await loadClosedTrajectory(result.trajectoryPath);
    script = byTurn([dig(future.objects), dig(future.objects), finish]);
    const fork = forkRollout(source, 1, { ...common, model: model() }, events);
    const forkEvents: StampedEvent[] = [];
    fork.events.subscribe((e) => forkEvents.push(e));
    const forked = await fork.run();
    assert.equal(forked.exitReason, 'finished', forked.message);
    assert.equal(forkEvents.filter((e) => e.type === 'observation' && e.name === 'execute_bash').length, 2, 'the replayed dig and a new one');
    assertNothingPastBase(forkEvents, future, inst.base_commit, 'fork');

    // 3. A replay of the exported row.
    const replayEvents: StampedEvent[] = [];
    const replay = await replayRow(runtime, ds, toSweGymRow(source), { ...common, onRollout: (r) => r.events.subscribe((e) => replayEvents.push(e)) });
    assert.equal(replay.result.exitReason, 'finished', replay.result.message);
    assertNothingPastBase(replayEvents, future, inst.base_commit, 'replay');
    assert.deepEqual(replay.mismatches, [], 'every solver container shows the same cut history');
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
});
