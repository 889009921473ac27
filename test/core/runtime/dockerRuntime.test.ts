import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerRuntime } from '../../../src/core/runtime/docker/dockerRuntime';
import { EngineUnavailableError } from '../../../src/core/runtime/errors';
import { reapOurContainers } from '../../../src/core/runtime/reaper';
import { BASE_IMAGE, TEST_SESSION, runtime, withContainer } from '../../support/docker';

test('exec separates stdout and stderr, reports the exit code, keeps arrival order merged (separate pipes: order is only defined across a pause)', async () => {
  await withContainer(async (c) => {
    const r = await c.exec(['/bin/sh', '-c', 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; exit 3']);
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, 'out1\nout2\n');
    assert.equal(r.stderr, 'err1\n');
    assert.equal(r.output, 'out1\nerr1\nout2\n');
    assert.equal(r.timedOut, false);
  });
});

test('a command killed by a signal reports 128 + its number, as bash and the SWE-bench harness do (137 for SIGKILL, not 9)', async () => {
  await withContainer(async (c) => {
    assert.equal((await c.exec(['/bin/sh', '-c', 'kill -9 $$'])).exitCode, 137);
    assert.equal((await c.exec(['/bin/sh', '-c', 'kill -15 $$'])).exitCode, 143);
    assert.equal((await c.exec(['/bin/sh', '-c', 'exit 9'])).exitCode, 9);
  });
});

test('arguments reach the process verbatim: nothing is interpreted by a shell', async () => {
  await withContainer(async (c) => {
    const hostile = '$(touch /tmp/pwned); `id`; echo "x" \' && rm -rf /';
    const r = await c.exec(['printf', '%s', hostile], { cwd: '/tmp', env: { FOO: 'a b $HOME' } });
    assert.equal(r.stdout, hostile);
    const env = await c.exec(['printenv', 'FOO']);
    assert.equal(env.stdout, '');
    const check = await c.exec(['test', '-e', '/tmp/pwned']);
    assert.equal(check.exitCode, 1, 'the command substitution must not have run');
  });
});

test('a timeout kills the whole process group, children included', async () => {
  await withContainer(async (c) => {
    const started = Date.now();
    const r = await c.exec(['/bin/sh', '-c', 'sleep 300 & sleep 300; echo never'], { timeoutMs: 500 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.ok(Date.now() - started < 4000, 'returned soon after the timeout');
    const ps = await c.exec(['sh', '-c', 'ps -eo comm | grep -c "^sleep$" || true']);
    assert.equal(ps.stdout.trim(), '0', 'no sleep survives');
  });
});

test('an abort signal cancels a running exec', async () => {
  await withContainer(async (c) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await c.exec(['sleep', '300'], { signal: ac.signal });
    assert.equal(r.cancelled, true);
  });
});

test('output beyond the cap is dropped and flagged', async () => {
  await withContainer(async (c) => {
    const r = await c.exec(['/bin/sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" a'], { maxOutputBytes: 1000 });
    assert.equal(r.stdout.length, 1000);
    assert.equal(r.truncated, true);
    assert.equal(r.exitCode, 0);
  });
});

test('stdin is delivered and closed', async () => {
  await withContainer(async (c) => {
    const r = await c.exec(['wc', '-c'], { stdin: 'héllo\n' });
    assert.equal(r.stdout.trim(), String(Buffer.byteLength('héllo\n')));
  });
});

test('files go in and come out byte for byte, parents created', async () => {
  await withContainer(async (c) => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    await c.putFile('/tmp/a/b/c.bin', bytes);
    assert.deepEqual(await c.readFile('/tmp/a/b/c.bin'), bytes);
    await c.putFile('/tmp/a/x.txt', 'text ✓');
    const host = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-copyout-'));
    try {
      await c.copyOut('/tmp/a', host);
      assert.equal(await fs.readFile(path.join(host, 'x.txt'), 'utf8'), 'text ✓');
      assert.deepEqual(await fs.readFile(path.join(host, 'b', 'c.bin')), bytes);
    } finally {
      await fs.rm(host, { recursive: true, force: true });
    }
    await assert.rejects(c.readFile('/nope'), /does not exist/);
  });
});

test('containers carry our labels, are listed, and the reaper removes them', async () => {
  const c = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: `${TEST_SESSION}-reap`, instanceId: 'x__y-1' });
  const listed = await runtime.listOurContainers({ sessionId: `${TEST_SESSION}-reap` });
  assert.deepEqual(listed.map((l) => l.id), [c.id]);
  assert.equal(listed[0]?.labels['io.swe-gym-studio.instance'], 'x__y-1');
  const removed = await reapOurContainers(runtime, { sessionId: `${TEST_SESSION}-reap` });
  assert.equal(removed.length, 1);
  assert.deepEqual(await runtime.listOurContainers({ sessionId: `${TEST_SESSION}-reap` }), []);
  await c.remove(); // removing twice is fine
});

test('an engine that does not answer gives a clear error', async () => {
  const dead = new DockerRuntime({ socketPath: '/tmp/no-such-docker.sock' });
  await assert.rejects(dead.ping(), (err: Error) => err instanceof EngineUnavailableError && /not reachable at \/tmp\/no-such-docker.sock/.test(err.message));
});

test('a missing image is reported as absent, not as an engine failure', async () => {
  assert.equal(await runtime.inspectImage('swe-gym-studio/does-not-exist:never'), undefined);
  assert.ok(await runtime.inspectImage(BASE_IMAGE));
});

test('a spawned shell keeps its state between commands and can be interrupted and killed', async () => {
  await withContainer(async (c) => {
    const p = await c.spawn(['/bin/bash', '--norc', '-i'], { tty: true, cwd: '/tmp', columns: 120, rows: 30 });
    let out = '';
    p.onOutput((chunk) => (out += chunk));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, re);
    };
    p.write('cd /etc && export MARK=kept\n');
    p.write('echo "at $(pwd) $MARK"\n');
    await waitFor(/at \/etc kept/);
    p.write('sleep 300\n');
    await new Promise((r) => setTimeout(r, 300));
    p.write('\x03'); // Ctrl+C through the pty interrupts the foreground job, not the shell
    p.write('echo after-interrupt\n');
    await waitFor(/after-interrupt\r?\n/);
    assert.doesNotMatch(out, /no job control/, 'the pty is the shell\'s controlling terminal');
    await p.kill();
    const code = await p.exited;
    assert.notEqual(code, 0, 'a killed shell does not exit cleanly');
  });
});

test('a spawned process\'s output before the first listener is kept for it (a shell\'s first prompt)', async () => {
  await withContainer(async (c) => {
    for (const tty of [true, false]) {
      const p = await c.spawn(['/bin/sh', '-c', 'echo first-words; sleep 5'], { tty, columns: 100, rows: 20 });
      // A terminal attaches its listener after spawn() returns; on a remote engine the first prompt may already be there.
      await new Promise((r) => setTimeout(r, 1000));
      let out = '';
      p.onOutput((chunk) => (out += chunk));
      assert.match(out, /first-words/, `tty ${tty}: the early output reaches the first listener`);
      await p.kill();
    }
  });
});

test('a container whose creation is cancelled is removed, not left created-but-never-started', async () => {
  for (const delayMs of [0, 5, 20, 60]) {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), delayMs);
    await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: `${TEST_SESSION}-cancel`, signal: ac.signal }).then(
      (c) => c.remove(),
      (err: Error) => assert.equal(err.name, 'AbortError'),
    );
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: `${TEST_SESSION}-cancel` }), []);
});
