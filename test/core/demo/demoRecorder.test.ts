// A demonstration recorded on a real dev container of a sample (host edits, a terminal command,
// a change found by a scan), cut by a simulated crash and resumed, finished and graded in a fresh
// container; the SFT export takes it, and a replay in a fresh container reproduces its patch,
// its reward and every observation. The gold reveal keeps it out of the default export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlShell } from '../../../src/core/agent/tools/controlShell';
import { parseTextToolCalls } from '../../../src/core/agent/model/textToolCalls';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { DemoRecorder } from '../../../src/core/demo/demoRecorder';
import { ContainerWorkspace } from '../../../src/core/demo/demoWorkspace';
import { readHostState } from '../../../src/core/demo/hostTree';
import { finishDemonstration } from '../../../src/core/demo/finishDemo';
import { extractPatch } from '../../../src/core/patch/extractPatch';
import { exportRun } from '../../../src/core/trajectory/exportRows';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const ID = 'swe-gym-studio__textkit-12';
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

test('record (save, terminal command, scan), crash and resume, finish resolved; SFT export; replay reproduces patch, reward and observations', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst?.patch);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demo-test-'));
  const runDir = path.join(root, 'runs', 'demo-run');
  const spec = await sampleSpec(inst);
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot: path.join(root, 'ws'), sessionId: TEST_SESSION });
  let control = await ControlShell.start(dev.container);
  try {
    const python = (await dev.container.exec(['bash', '-ic', 'command -v python || command -v python3'], { cwd: '/testbed' })).stdout.trim().split('\n').pop() ?? '';
    const ws = () => new ContainerWorkspace(control, '/testbed', inst.base_commit, dev.workspaceDir);
    let rec = DemoRecorder.start({ dir: runDir, runId: 'demo-run', instance: inst, workspace: ws(), python, annotator: 'Ada' });

    // 1. A new file saved in the editor (with a note for its step).
    rec.setNote('First I reproduce the problem.');
    fs.mkdirSync(path.join(dev.workspaceDir, 'scratch'));
    fs.writeFileSync(path.join(dev.workspaceDir, 'scratch', 'reproduce.py'), 'import textkit\nprint("x marks")\n');
    assert.equal(await rec.recordPaths(['scratch/reproduce.py']), 1);
    // 2. sed -i in the container's terminal: one execute_bash step; its effect is the command's.
    await rec.scan();
    const sed = "sed -i 's/x marks/y marks/' scratch/reproduce.py";
    const r = await dev.container.exec(['bash', '-c', sed], { cwd: '/testbed' });
    assert.equal(r.exitCode, 0);
    await rec.recordCommand({ command: sed, output: '', exitCode: 0, cwdBefore: '/testbed', cwdAfter: '/testbed' });
    // 3. The fix arrives from outside the editor (git apply): found by a scan.
    await dev.container.putFile('/tmp/fix.diff', inst.patch);
    assert.equal((await dev.container.exec(['git', 'apply', '/tmp/fix.diff'], { cwd: '/testbed' })).exitCode, 0);
    assert.ok((await rec.scan()) >= 1);
    const stepsBefore = rec.stepCount;
    assert.equal(stepsBefore, 3);

    // A kill -9 mid-write: the log ends in a torn line; nothing before it is lost.
    rec.detach();
    await control.close();
    fs.appendFileSync(rec.eventsPath, '{"type":"demo_step","step":4,"actions":[{"id":"call_x","na');
    control = await ControlShell.start(dev.container);
    rec = DemoRecorder.resume(rec.eventsPath, ws(), python);
    assert.equal(rec.stepCount, stepsBefore);
    assert.equal(rec.state, 'recording');
    // 4. An edit after the resume is encoded against the recorded state (a str_replace).
    fs.writeFileSync(path.join(dev.workspaceDir, 'scratch', 'reproduce.py'), 'import textkit\nprint("y marks the spot")\n');
    assert.equal(await rec.recordPaths(['scratch/reproduce.py']), 1);
    const last = rec.history[rec.history.length - 1];
    assert.ok(last?.type === 'demo_step' && last.actions[0]?.arguments.includes('"str_replace"'), JSON.stringify(last));

    const { trajectory } = await finishDemonstration(rec, {
      runtime,
      spec,
      takePatch: () => extractPatch(dev.container, inst.base_commit),
      sessionId: TEST_SESSION,
    });
    assert.equal(trajectory.reward?.resolved, true, trajectory.reward?.test_output.slice(-2000));
    assert.equal(trajectory.demonstration?.annotator, 'Ada');
    assert.equal(trajectory.demonstration?.resumed_after_crash, 1);
    // Each recording step's number of tool calls (the step view groups by it): 4 steps, the closing finish apart.
    const perStep = trajectory.demonstration?.recorded_step_calls ?? [];
    assert.equal(perStep.length, 4);
    assert.equal(perStep.reduce((a, b) => a + b, 0), trajectory.steps - 1);
    assert.equal(trajectory.messages[2]?.role === 'assistant' && trajectory.messages[2].content, 'First I reproduce the problem.');
    assert.ok(fs.existsSync(path.join(runDir, `${ID}_0.json`)));

    // The SFT export takes it: every tool call in text form parses back to the recorded call.
    const sft = await exportRun(runDir, 'sft');
    assert.equal(sft.written, 1, JSON.stringify(sft.skipped));
    const line = JSON.parse(fs.readFileSync(sft.file, 'utf8').trim()) as { messages: { role: string; content: string }[] };
    const calls = line.messages.filter((m) => m.role === 'assistant').map((m) => parseTextToolCalls(m.content, trajectory.tools, 'p').toolCalls.map((c) => c.function.name));
    assert.deepEqual(calls.flat(), trajectory.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.function.name) : [])));

    // `swe-gym replay` of the demonstration in a fresh container: same patch, same reward, the observations it predicted.
    assert.ok(trajectory.messages.some((m) => m.role === 'assistant' && m.tool_calls?.[0]?.function.arguments === JSON.stringify({ command: sed })));
    assert.ok(trajectory.patch?.includes('scratch/reproduce.py') && trajectory.patch.includes('+print("y marks the spot")'));
    const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'replay', '--dataset', 'samples', '--trajectory', path.join(runDir, `${ID}_0.json`), '--out', path.join(root, 'replay'), '--json'], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
    );
    assert.equal(cli.code, 0, cli.stderr);
    const report = JSON.parse(cli.stdout) as Record<string, unknown>;
    assert.equal(report.exit_reason, 'finished', cli.stdout.slice(0, 2000));
    assert.deepEqual(report.observation_mismatches, []);
    assert.equal(report.patch_matches, true);
    assert.equal(report.resolved, true);
    assert.equal(report.reward_matches, true);
  } finally {
    await control.close().catch(() => undefined);
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a reveal keeps a finished demonstration out of the default export; --include-revealed keeps it, flagged; discard removes the log', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demo-reveal-'));
  const none = { changedFromBase: async () => [], current: async () => undefined, base: async () => undefined };
  try {
    const rec = DemoRecorder.start({ dir: root, runId: 'r', instance: inst, workspace: none, python: '/usr/bin/python3' });
    rec.recordReveal('gold_patch');
    rec.recordTestRun({ status: 'resolved', resolved: true });
    const closed = await rec.finish({ patch: '', reward: { status: 'resolved', resolved: true, rules: 'swe-gym', strict_resolved: true, test_output: '', apply_output: '', skipped_install: false, eval_run_id: 'x', duration_ms: 1 } });
    assert.deepEqual(closed.demonstration?.reveals.map((r) => r.what), ['gold_patch']);
    const plain = await exportRun(root, 'swe-gym');
    assert.equal(plain.written, 0);
    assert.deepEqual(plain.skipped.map((s) => s.reason), ['saw the gold patch or the test names']);
    const kept = await exportRun(root, 'swe-gym', { includeRevealed: true, outFile: path.join(root, 'kept.jsonl') });
    assert.equal(kept.written, 1);
    assert.deepEqual((JSON.parse(fs.readFileSync(kept.file, 'utf8')) as { revealed: string[] }).revealed, ['gold_patch']);

    const other = DemoRecorder.start({ dir: root, runId: 'r', instance: inst, index: 1, workspace: none, python: '' });
    assert.ok(fs.existsSync(other.eventsPath));
    await other.discard();
    assert.ok(!fs.existsSync(other.eventsPath));
    assert.throws(() => DemoRecorder.resume(path.join(root, `${ID}_0.jsonl`), none, ''), /has ended/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('stored contents are not synced: a resume after an OS crash lost one drops the log from that step on, and the next save is encoded against what is left', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demo-lost-'));
  const ws = path.join(root, 'ws');
  fs.mkdirSync(ws);
  // The workspace read on the host (no container needed): every file is new against the base.
  const workspace = { changedFromBase: async () => [], current: (rel: string) => readHostState(ws, rel), base: async () => undefined };
  try {
    let rec = DemoRecorder.start({ dir: path.join(root, 'runs'), runId: 'r', instance: inst, workspace, python: '/usr/bin/python3' });
    const file = path.join(ws, 'notes.py');
    fs.writeFileSync(file, 'a = 1\nb = 2\n');
    assert.equal(await rec.recordPaths(['notes.py']), 1);
    fs.writeFileSync(file, 'a = 1\nb = 3\n');
    assert.equal(await rec.recordPaths(['notes.py']), 1);
    rec.setNote('after the lost step');
    const steps = rec.history.filter((e) => e.type === 'demo_step');
    const second = steps[1];
    assert.ok(second?.type === 'demo_step');
    const ref = second.files['notes.py'];
    assert.ok(ref && 'sha256' in ref);
    rec.detach();
    // The OS went down before the disk had the second step's content.
    fs.rmSync(path.join(rec.eventsPath.replace(/\.jsonl$/, '.files'), ref.sha256));
    rec = DemoRecorder.resume(rec.eventsPath, workspace, '/usr/bin/python3');
    assert.equal(rec.stepCount, 1);
    const lines = fs.readFileSync(rec.eventsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; droppedEvents?: number });
    assert.deepEqual(lines.map((l) => l.type), ['demo_started', 'demo_step', 'demo_resumed_after_crash']);
    assert.equal(lines[2]?.droppedEvents, 2);
    // The workspace still holds b = 3: the next save records the change from step 1's content.
    fs.writeFileSync(file, 'a = 1\nb = 4\n');
    assert.equal(await rec.recordPaths(['notes.py']), 1);
    const last = rec.history[rec.history.length - 1];
    assert.ok(last?.type === 'demo_step' && last.step === 2);
    assert.deepEqual(JSON.parse(last.actions[0]?.arguments ?? '{}'), { command: 'str_replace', path: '/testbed/notes.py', old_str: 'b = 2', new_str: 'b = 4' });
    rec.detach();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
