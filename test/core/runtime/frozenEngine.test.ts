import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

/** An "engine" that accepts connections and never answers a byte: a hung dockerd. */
async function frozenEngine(): Promise<{ socket: string; close: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-frozen-'));
  const socket = path.join(dir, 'docker.sock');
  const held: net.Socket[] = [];
  const server = net.createServer((s) => {
    held.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    close: () => {
      for (const s of held) s.destroy();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runCli(args: string[], dockerHost: string, limitMs: number): Promise<{ code: number | null; stderr: string; ms: number; killed: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started, killed });
    });
  });
}

test('a frozen engine: the CLI gives a clear error and exits non-zero instead of hanging', async () => {
  const engine = await frozenEngine();
  try {
    for (const args of [['eval', '--dataset', 'samples', '--predictions', 'gold'], ['cleanup']]) {
      const r = await runCli(args, `unix://${engine.socket}`, 60_000);
      assert.equal(r.killed, false, `swe-gym ${args[0]} still running after 60 s; stderr: ${r.stderr}`);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /did not answer within \d+ s/, r.stderr);
      assert.ok(r.ms < 30_000, `exited after ${r.ms} ms`);
    }
  } finally {
    engine.close();
  }
});
