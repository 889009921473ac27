import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalContainerSpec, evaluateInstance, warmUpCommand } from '../../../src/core/harness/evaluateInstance';
import { runEvaluation } from '../../../src/core/harness/runEvaluation';
import { ensureImage } from '../../../src/core/images/ensureImage';
import { loadPredictions } from '../../../src/core/predictions/loadPredictions';
import type { ContainerHandle, ContainerRuntime, ContainerSpec } from '../../../src/core/runtime/containerRuntime';
import { LABEL_WARM, WarmContainers } from '../../../src/core/runtime/warmContainers';
import { runtime as engine, TEST_SESSION } from '../../support/docker';
import { pytestSample, sampleSpec, samples } from '../../support/samples';

interface Op {
  id: string;
  what: string;
  at: number;
}

/**
 * The real runtime, with every container operation recorded: which container a grade ran in,
 * when it was made, and whether anything touched it before.
 */
function recording(inner: ContainerRuntime): { runtime: ContainerRuntime; created: Map<string, { at: number; labels: Record<string, string> }>; ops: Op[] } {
  const created = new Map<string, { at: number; labels: Record<string, string> }>();
  const ops: Op[] = [];
  const wrap = (c: ContainerHandle): ContainerHandle => {
    const log = (what: string) => ops.push({ id: c.id, what, at: Date.now() });
    return {
      id: c.id,
      name: c.name,
      exec: (cmd, o) => (log(`exec ${cmd.join(' ').slice(0, 40)}`), c.exec(cmd, o)),
      spawn: (cmd, o) => (log('spawn'), c.spawn(cmd, o)),
      putFile: (p, content, mode) => (log(`put ${p}`), c.putFile(p, content, mode)),
      putFiles: (files) => (log('put files'), c.putFiles(files)),
      readFile: (p) => (log(`read ${p}`), c.readFile(p)),
      copyOut: (p, d) => (log(`copy ${p}`), c.copyOut(p, d)),
      copyIn: (from, entries, to, signal) => (log(`copy in ${to}`), c.copyIn(from, entries, to, signal)),
      remove: () => c.remove(),
    };
  };
  const runtime = Object.create(inner) as ContainerRuntime;
  runtime.createContainer = async (spec: ContainerSpec) => {
    const c = await inner.createContainer(spec);
    created.set(c.id, { at: Date.now(), labels: { ...spec.extraLabels } });
    return wrap(c);
  };
  return { runtime, created, ops };
}

const opts = async () => ({ sessionId: TEST_SESSION });

test('a re-run of the hidden tests grades in a never-used container started ahead; none is left after stop', async () => {
  const { runtime, created, ops } = recording(engine);
  const warm = new WarmContainers(runtime);
  const inst = await pytestSample();
  try {
    const first = await evaluateInstance(runtime, await sampleSpec(inst), inst.patch, { ...(await opts()), warm, keepWarm: true });
    assert.equal(first.status, 'resolved', first.error);
    assert.equal(warm.size, 1, 'after the grade, one container waits for the next');
    const firstIds = new Set(ops.map((o) => o.id));
    assert.equal(firstIds.size, 1, 'the first grade ran in one container');

    // A person reads the verdict, edits and runs the tests again: by then the container has started.
    await warm.started();
    const secondStart = Date.now();
    const second = await evaluateInstance(runtime, await sampleSpec(inst), inst.patch, { ...(await opts()), warm, keepWarm: true });
    assert.equal(second.status, 'resolved', second.error);
    const secondOps = ops.filter((o) => o.at >= secondStart);
    const usedIds = new Set(secondOps.map((o) => o.id));
    assert.equal(usedIds.size, 1, 'the second grade ran in one container');
    const [used] = [...usedIds] as [string];
    assert.ok(!firstIds.has(used), 'never the container of the first grade');
    assert.equal(created.get(used)?.labels[LABEL_WARM], '1', 'the container started ahead was taken');
    assert.ok((created.get(used)?.at ?? Infinity) <= secondStart, `it existed before the grade began (${created.get(used)?.at} vs ${secondStart})`);
    const warmUp = `exec ${warmUpCommand(await sampleSpec(inst)).join(' ').slice(0, 40)}`;
    assert.deepEqual(ops.filter((o) => o.id === used && o.at < secondStart).map((o) => o.what), [warmUp], 'nothing but the warm-up (git and Python start-up, before any candidate) touched it before the grade');
    assert.ok(second.timings.containerMs < first.timings.containerMs, `taking it (${second.timings.containerMs} ms) is quicker than creating one (${first.timings.containerMs} ms)`);

    await warm.started();
    const waiting = await engine.listOurContainers({ sessionId: TEST_SESSION, instanceId: inst.instance_id, purpose: 'eval' });
    assert.equal(waiting.filter((c) => c.labels[LABEL_WARM]).length, 1, 'at most one waits per image');
    // Nothing of the grade is staged ahead: the hidden tests reach a container only inside its grade.
    const [ahead] = waiting.filter((c) => c.labels[LABEL_WARM]);
    const inAhead = (cmd: string[]) => engine.getContainer(ahead?.id ?? '').exec(cmd, { cwd: '/testbed' });
    const status = await inAhead(['git', 'status', '--porcelain']);
    assert.equal(status.exitCode, 0, status.output);
    assert.equal(status.stdout, '', 'its work tree is the base commit, test files untouched');
    const headers = inst.test_patch.split('\n').filter((l) => l.startsWith('diff --git '));
    assert.ok(headers.length > 0);
    const copies = await inAhead(['grep', '-rlF', '--exclude-dir=.git', ...headers.flatMap((l) => ['-e', l]), '/testbed', '/tmp', '/root', '/etc', '/opt']);
    assert.equal(copies.exitCode, 1, `no copy of the hidden test patch anywhere: ${copies.output}`);
  } finally {
    await warm.dispose();
  }
  assert.deepEqual(await engine.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' }), [], 'no idle container is left after stop');
});

test('an idle waiting container is removed after the idle time', async () => {
  const inst = await pytestSample();
  const warm = new WarmContainers(engine, { idleMs: 500 });
  try {
    const { image } = await ensureImage(engine, (await sampleSpec(inst)).image);
    warm.prepare({ image, purpose: 'eval', instanceId: inst.instance_id, sessionId: TEST_SESSION });
    for (let i = 0; i < 60 && warm.size > 0; i++) await new Promise((r) => setTimeout(r, 250));
    assert.equal(warm.size, 0);
    await warm.discard();
    assert.deepEqual(await engine.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' }), []);
  } finally {
    await warm.dispose();
  }
});

test('a waiting container removed from outside is not handed out, and a grade that took it runs in a new one', async () => {
  const inst = await pytestSample();
  const warm = new WarmContainers(engine, { checkAfterMs: 0 });
  try {
    const { image } = await ensureImage(engine, (await sampleSpec(inst)).image);
    const spec = { image, purpose: 'eval' as const, instanceId: inst.instance_id, sessionId: TEST_SESSION };
    warm.prepare(spec);
    await warm.started();
    const [waiting] = await engine.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' });
    assert.ok(waiting);
    await engine.removeContainer(waiting.id);
    const c = await warm.createContainer(spec);
    try {
      assert.notEqual(c.id, waiting.id);
      assert.equal((await c.exec(['true'])).exitCode, 0);
    } finally {
      await c.remove();
    }
    // A grade takes a waiting container unchecked (no engine round trip); when its one exec cannot
    // even be created, nothing ran, and the grade runs in a new container.
    const instSpec = await sampleSpec(inst);
    const graded = new WarmContainers(engine);
    try {
      graded.prepare(evalContainerSpec(instSpec, image, { sessionId: TEST_SESSION }));
      await graded.started();
      const [gone] = await engine.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' });
      assert.ok(gone);
      await engine.removeContainer(gone.id);
      const r = await evaluateInstance(engine, instSpec, inst.patch, { sessionId: TEST_SESSION, warm: graded });
      assert.equal(r.status, 'resolved', `${r.error ?? ''}`);
      assert.equal(graded.size, 0);
    } finally {
      await graded.dispose();
    }
    assert.deepEqual(await engine.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' }), [], 'nothing left');
  } finally {
    await warm.dispose();
  }
});

test('a batch starts the next instance ahead: each grade in its own never-used container, the same verdicts, nothing left', async () => {
  const { runtime, created, ops } = recording(engine);
  const ds = await samples();
  const gold = (await loadPredictions('gold', ds)).slice(0, 3);
  const outcome = await runEvaluation(runtime, ds, gold, { workers: 1, sessionId: TEST_SESSION, allowPull: false });
  for (const r of outcome.results) assert.equal(r.status, 'resolved', `${r.instance_id}: ${r.error ?? ''}`);
  const usedIds = [...new Set(ops.map((o) => o.id))];
  assert.equal(usedIds.length, gold.length, 'one container per grade, none reused');
  const ahead = usedIds.filter((id) => created.get(id)?.labels[LABEL_WARM]);
  assert.equal(ahead.length, gold.length - 1, 'every instance after the first found its container started');
  assert.deepEqual(await engine.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left after the run');
});
