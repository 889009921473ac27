import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as os from 'node:os';
import Docker from 'dockerode';
import type { ContainerHandle } from '../../../src/core/runtime/containerRuntime';
import { defaultMemoryBytes, DEFAULT_PIDS_LIMIT } from '../../../src/core/runtime/containerPolicy';
import { DockerRuntime } from '../../../src/core/runtime/docker/dockerRuntime';
import { reapOurContainers } from '../../../src/core/runtime/reaper';
import { evaluateInstance } from '../../../src/core/harness/evaluateInstance';
import { BASE_IMAGE, TEST_SESSION, runtime } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const PORT = 8765;
const docker = new Docker();

const LISTEN = [
  'import socket',
  's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  `s.bind(("0.0.0.0", ${PORT})); s.listen(8)`,
  'print("listening", flush=True)',
  'while True:',
  '    c, _ = s.accept(); c.sendall(b"secret"); c.close()',
].join('\n');

/** Connects to each address with a short timeout; prints "addr:port ok" or "addr:port fail <why>". */
const PROBE = [
  'import socket, sys',
  'for target in sys.argv[1:]:',
  '    host, port = target.rsplit(":", 1)',
  '    s = socket.socket(); s.settimeout(2)',
  '    try:',
  '        s.connect((host, int(port))); print(target, "ok", flush=True)',
  '    except Exception as e:',
  '        print(target, "fail", type(e).__name__, flush=True)',
].join('\n');

async function listen(c: ContainerHandle): Promise<string> {
  const p = await c.spawn(['python3', '-c', LISTEN]);
  let out = '';
  p.onOutput((s) => (out += s));
  for (let i = 0; i < 100 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /listening/);
  const ip = await c.exec(['python3', '-c', 'import socket; print(socket.gethostbyname(socket.gethostname()))']);
  return `${ip.stdout.trim()}:${PORT}`;
}

async function probe(c: ContainerHandle, targets: string[]): Promise<Record<string, string>> {
  const r = await c.exec(['python3', '-c', PROBE, ...targets], { timeoutMs: 60_000 });
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.split(' ')[0] ?? '', l.split(' ').slice(1).join(' ')]));
}

function hostAddresses(): string[] {
  const own = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
  return [...new Set(own)];
}

test('eval containers reach no other container; dev and agent containers reach neither each other nor the host (nor, by default, anything)', async () => {
  const session = `${TEST_SESSION}-net`;
  const online = new DockerRuntime({ allowInternet: true });
  // Probes close at once: a reset on the server side is expected, not an error of the test.
  const host = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end('host secret');
  });
  await new Promise<void>((r) => host.listen(0, '0.0.0.0', r));
  const hostPort = (host.address() as net.AddressInfo).port;
  const hostTargets = hostAddresses().map((a) => `${a}:${hostPort}`);
  const made: ContainerHandle[] = [];
  const make = async (rt: DockerRuntime, purpose: 'eval' | 'dev' | 'agent' | 'test') => {
    const c = await rt.createContainer({ image: BASE_IMAGE, purpose, sessionId: session });
    made.push(c);
    return c;
  };
  try {
    const [evalA, evalB, devOnline, agentOnline, devDefault, agentDefault, control] = await Promise.all([
      make(runtime, 'eval'),
      make(runtime, 'eval'),
      make(online, 'dev'),
      make(online, 'agent'),
      make(runtime, 'dev'),
      make(runtime, 'agent'),
      make(runtime, 'test'),
    ]);
    assert.ok(evalA && evalB && devOnline && agentOnline && devDefault && agentDefault && control);
    const [evalAddr, devAddr, agentAddr] = await Promise.all([listen(evalA), listen(devOnline), listen(agentOnline)]);

    // Controls: each listener answers from inside its own container, and the host listener answers
    // a container on Docker's default bridge: a "fail" below is isolation, not a broken probe.
    assert.equal((await probe(evalA, [evalAddr]))[evalAddr], 'ok');
    assert.equal((await probe(devOnline, [devAddr]))[devAddr], 'ok');
    assert.ok(Object.values(await probe(control, hostTargets)).includes('ok'), 'the host listener is reachable from the default bridge');

    // An eval container (a candidate's conftest.py) cannot send the test patch to anyone.
    const fromEval = await probe(evalB, [evalAddr, devAddr, agentAddr]);
    for (const t of [evalAddr, devAddr, agentAddr]) assert.match(fromEval[t] ?? '', /^fail/, `eval -> ${t}: ${fromEval[t]}`);
    // Dev and agent containers with the internet allowed still cannot reach each other or eval.
    const fromDev = await probe(devOnline, [agentAddr, evalAddr]);
    for (const t of [agentAddr, evalAddr]) assert.match(fromDev[t] ?? '', /^fail/, `dev -> ${t}: ${fromDev[t]}`);
    const fromAgent = await probe(agentOnline, [devAddr, evalAddr]);
    for (const t of [devAddr, evalAddr]) assert.match(fromAgent[t] ?? '', /^fail/, `agent -> ${t}: ${fromAgent[t]}`);
    // By default dev and agent containers have no network: not the host's 0.0.0.0 services, not containers.
    for (const c of [devDefault, agentDefault]) {
      const r = await probe(c, [...hostTargets, devAddr, evalAddr, '172.17.0.1:' + hostPort]);
      for (const [t, v] of Object.entries(r)) assert.match(v, /^fail/, `default dev/agent -> ${t}: ${v}`);
    }
    // Documented limit (README, threat model): a bridge with internet, even an `internal` one, still
    // reaches the host's services through its gateway. Asserted so the README cannot go stale.
    assert.ok(Object.values(await probe(devOnline, hostTargets)).includes('ok'), 'with the internet allowed the host is reachable');
  } finally {
    host.close();
    await Promise.all(made.map((c) => c.remove()));
    await reapOurContainers(runtime, { sessionId: session });
  }
});

// The Podman tier leaves this one to the Docker tier (same HostConfig, slow there): Node 20's
// --test-name-pattern cannot exclude a test (the root test's name matches a negative lookahead).
const limitsSkip = process.env.SWE_GYM_SKIP_LIMITS_TEST ? `left to the Docker tier (${process.env.SWE_GYM_SKIP_LIMITS_TEST})` : false;

test('every container gets memory and process limits; a fork bomb and a memory hog stay inside them', { skip: limitsSkip }, async () => {
  const session = `${TEST_SESSION}-limits`;
  const plain = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: session });
  try {
    const hc = (await docker.getContainer(plain.id).inspect()).HostConfig;
    const engineMemory = ((await docker.info()) as { MemTotal: number }).MemTotal;
    assert.equal(hc.Memory, defaultMemoryBytes(engineMemory));
    assert.equal(hc.MemorySwap, hc.Memory, 'no swap beyond the limit');
    assert.equal(hc.PidsLimit, DEFAULT_PIDS_LIMIT);
  } finally {
    await plain.remove();
  }

  // Small limits: this runs on a shared 2-core machine. Half a CPU keeps the bomb's spinning small.
  const tight = new DockerRuntime({ limits: { pidsLimit: 48, memoryBytes: 256 * 1024 * 1024, cpus: 0.5 } });
  const c = await tight.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: session });
  try {
    const hog = await c.exec(['python3', '-c', 'b = bytearray(600 * 1024 * 1024); print("survived")'], { timeoutMs: 60_000 });
    assert.doesNotMatch(hog.stdout, /survived/);
    // SIGKILLed by the OOM killer (setsid reports the signal, 9, as the exit code).
    assert.ok(hog.exitCode === 9 || hog.exitCode === 137, `exit ${hog.exitCode}: ${hog.output}`);

    const started = Date.now();
    const bomb = await c.exec(['/bin/bash', '-c', 'b() { b | b & }; b; sleep 3'], { timeoutMs: 6000 });
    assert.ok(bomb.timedOut || bomb.exitCode !== null);
    const stats = (await docker.getContainer(c.id).stats({ stream: false })) as { pids_stats?: { current?: number } };
    const pids = stats.pids_stats?.current ?? 0;
    assert.ok(pids > 0 && pids <= 48, `processes in the container: ${pids}`);
    assert.ok(Date.now() - started < 60_000);
  } finally {
    const t = Date.now();
    await c.remove();
    assert.ok(Date.now() - t < 60_000, 'the bombed container is removed promptly');
    await reapOurContainers(runtime, { sessionId: session });
  }
});

test('an evaluation runs on the eval network, and with no network at all when the install step is skipped', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.patch) ?? ds.instances[0];
  assert.ok(inst);
  const modes: Record<string, string> = {};
  for (const skipInstall of [false, true]) {
    const session = `${TEST_SESSION}-evalnet-${skipInstall}`;
    const r = await evaluateInstance(runtime, await sampleSpec(inst, { skipInstall }), inst.patch, {
      sessionId: session,
      onProgress: (m) => {
        if (!m.startsWith('Running the hidden tests')) return;
        void runtime.listOurContainers({ sessionId: session, purpose: 'eval' }).then(async ([c]) => {
          if (!c) return;
          // Podman reports NetworkMode 'bridge' for a named network: the attached networks say which.
          const info = await docker.getContainer(c.id).inspect();
          modes[String(skipInstall)] = info.HostConfig.NetworkMode === 'none' ? 'none' : Object.keys(info.NetworkSettings.Networks ?? {}).join(',') || '?';
        });
      },
    });
    assert.equal(r.status, 'resolved', r.error ?? r.testLog.slice(-2000));
  }
  // On Podman each eval container has a bridge of its own (its bridges ignore enable_icc).
  assert.match(modes.false ?? '', (await runtime.engineKind()) === 'podman' ? /^swe-gym-studio-eval-[0-9a-f]{12}$/ : /^swe-gym-studio-eval$/);
  assert.equal(modes.true, 'none');
});
