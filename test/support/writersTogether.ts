import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Runs `writers` node processes (the script of writer w) that each write `ready-<w>` into `dir`
 * and then wait for a `go` file there, so their writes meet at the same moment; resolves when all
 * exited 0, rejects with the stderr of one that did not.
 */
export async function runWritersTogether(dir: string, writers: number, scriptOf: (w: number) => string, who = 'writer'): Promise<void> {
  const children = Array.from({ length: writers }, (_, w) => {
    const child = spawn(process.execPath, ['-e', scriptOf(w)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${who} ${w} exited ${code}: ${stderr}`)))));
  });
  const deadline = Date.now() + 60_000;
  while (fs.readdirSync(dir).filter((n) => n.startsWith('ready-')).length < writers) {
    assert.ok(Date.now() < deadline, `the ${who}s did not start`);
    await new Promise((r) => setTimeout(r, 20));
  }
  fs.writeFileSync(`${dir}/go`, '');
  await Promise.all(children);
}
