import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import { BASE_IMAGE, TEST_SESSION } from '../support/docker';

/**
 * A TLS engine on 127.0.0.1: a small TLS server (client certificates required) that pipes each
 * connection to the local dockerd socket. Not a second dockerd: this machine's engine is shared by
 * other people, and a second daemon would need its own data root and base image. What is tested is
 * ours: the certificates reach dockerode and the whole API (exec's hijacked stream included) works
 * over TLS; dockerd's own TLS listener is the docker CLI's business.
 */
function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=swe-gym test CA');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=127.0.0.1'], ['client', '/CN=swe-gym client']] as const) {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  // The docker CLI's layout for DOCKER_CERT_PATH.
  fs.copyFileSync(path.join(dir, 'client.pem'), path.join(dir, 'cert.pem'));
  fs.copyFileSync(path.join(dir, 'client-key.pem'), path.join(dir, 'key.pem'));
}

async function tlsProxy(dir: string): Promise<{ port: number; close: () => Promise<void>; handshakes: () => number }> {
  let handshakes = 0;
  const server = tls.createServer(
    { key: fs.readFileSync(path.join(dir, 'server-key.pem')), cert: fs.readFileSync(path.join(dir, 'server.pem')), ca: fs.readFileSync(path.join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: true },
    (client) => {
      handshakes++;
      const engine = net.connect('/var/run/docker.sock');
      client.pipe(engine).pipe(client);
      const drop = () => {
        client.destroy();
        engine.destroy();
      };
      client.on('error', drop).on('close', drop);
      engine.on('error', drop).on('close', drop);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, handshakes: () => handshakes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('tcp:// with TLS: certificates from the settings or DOCKER_CERT_PATH reach the engine; exec works over TLS; no certificate, no engine', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-tls-'));
  makeCerts(dir);
  const proxy = await tlsProxy(dir);
  const saved = { host: process.env.DOCKER_HOST, verify: process.env.DOCKER_TLS_VERIFY, certs: process.env.DOCKER_CERT_PATH };
  try {
    const engine = `tcp://127.0.0.1:${proxy.port}`;
    const runtime = new DockerRuntime({ engine, connect: { tls: { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem') } } });
    assert.equal(runtime.remote, true);
    await runtime.ping();
    assert.ok(proxy.handshakes() >= 1, 'the request went through the TLS listener');
    const c = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: TEST_SESSION, network: 'none' });
    try {
      const r = await c.exec(['sh', '-c', 'echo over-tls; echo err >&2; exit 3']);
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout, 'over-tls\n');
      await c.putFile('/tmp/x', 'archive over TLS');
      assert.equal((await c.readFile('/tmp/x')).toString(), 'archive over TLS');
    } finally {
      await c.remove();
    }
    // The docker CLI's variables: DOCKER_HOST=tcp://, DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH.
    Object.assign(process.env, { DOCKER_HOST: engine, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    const fromEnv = new DockerRuntime({ engine: 'docker' });
    await fromEnv.ping();
    // Without client certificates (plain HTTP to a TLS port, or TLS without a client certificate) nothing answers.
    delete process.env.DOCKER_TLS_VERIFY;
    await assert.rejects(new DockerRuntime({ engine }).ping());
    process.env.DOCKER_CERT_PATH = path.join(dir, 'nowhere');
    assert.throws(() => new DockerRuntime({ engine: `tcp://127.0.0.1:2376` }), /needs TLS, but its CA certificate .*nowhere\/ca\.pem cannot be read \(ENOENT\)/);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), []);
  } finally {
    for (const [k, v] of [['DOCKER_HOST', saved.host], ['DOCKER_TLS_VERIFY', saved.verify], ['DOCKER_CERT_PATH', saved.certs]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
