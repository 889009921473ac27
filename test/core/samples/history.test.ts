/**
 * The sample tasks' git histories, replayed on the host with real git by the one shared replay
 * script: every commit id, ref and tree is the one the images have always had (recorded below
 * from the replays that copied whole older files, before history became patches), and the history
 * folders hold patches, not copies of files.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const TASKS = path.resolve(__dirname, '..', '..', '..', '..', 'samples', 'tasks');

interface Ids {
  base: string;
  baseTree: string;
  /** Trees after applying gold.patch, then test.patch as well. */
  goldTree: string;
  goldTestTree: string;
  /** Every ref, and a digest of the sorted ids of every reachable commit. */
  refs: Record<string, string>;
  commits: string;
}

const EXPECTED: Record<string, Ids> = {
  argsy: { base: 'c51498180c0ae5133e7b7e2c2ba6eacaeb86e277', baseTree: '11081226b4900a0f441312d6f421cc7b6d29a653', goldTree: '9f2aaf92d165585873f93c5b4ba3c807a6704e8f', goldTestTree: '265fbc6f85ee5733e0f2bb87cdf0efe181d950c0', refs: { 'refs/heads/main': 'c51498180c0ae5133e7b7e2c2ba6eacaeb86e277' }, commits: '3 86419b37e0ab0005' },
  confini: { base: '74a4ab344e9e16daa15c968fd50956aa256159e8', baseTree: '0bd07b3d10079ba85302d09afa91f254fd867c8d', goldTree: '13b5caf7a628aa55add55c6f3514431914a4fd5b', goldTestTree: 'd97fddb59082d7abeffcf169f56ee963393cfe9a', refs: { 'refs/heads/main': '74a4ab344e9e16daa15c968fd50956aa256159e8' }, commits: '4 5b66d781e378fc0c' },
  dateranges: { base: '486af486e76f3e8b32f39ce0563345ce1a6d4569', baseTree: 'b5a45f33492685a4215caa982368f05039456bb4', goldTree: '83c879cb5de996b431c29c75c7ca25670edef131', goldTestTree: 'e70119a3efa83a3dd6b06b41556aee0daf5e22fb', refs: { 'refs/heads/main': '486af486e76f3e8b32f39ce0563345ce1a6d4569' }, commits: '4 b5ad4ecc310b863a' },
  moneta: { base: '0933ed8a342fabb281146da5798c374cfbc404dd', baseTree: 'b394da2290769d8aa410a85d7fdb5003e6d704b1', goldTree: '47c17ec8b840a09698d885e9604eba4143d47da6', goldTestTree: 'fe0f63b4827b9f7df79eff2e572934b80d5e03f2', refs: { 'refs/heads/main': '0933ed8a342fabb281146da5798c374cfbc404dd' }, commits: '4 6dcda655e37c946a' },
  statlite: { base: 'eb0063a71d163a2ab4f7a068d6fd36955d59831a', baseTree: '66bc96638a30084098ea5d20ca86a6434559517c', goldTree: 'd0255af7dedc869456a2dc8452eee9ac713d583f', goldTestTree: '8173354af3407bf0ea6b73eaade37e5094f1d502', refs: { 'refs/heads/main': 'eb0063a71d163a2ab4f7a068d6fd36955d59831a' }, commits: '3 e7916979e87de491' },
  textkit: {
    base: 'd59f93beeff9871213b2c19410effce39d045c2a',
    baseTree: '6953292a01e309c7fb24477ede2c2cd64476f13a',
    goldTree: '1032cd6fd2abd808f48f37af7392bbc13bca152a',
    goldTestTree: '39a30d1f65718a194cb82ee33e018c4f51d91b89',
    refs: { 'refs/heads/main': 'd59f93beeff9871213b2c19410effce39d045c2a', 'refs/heads/release/0.2': '1c8fcc72db712e8d2d0bd7f4833708e6a0fd3090', 'refs/tags/v0.2.0': 'a04405bba59a6450ec1aa4f74f801cbad1c52faf' },
    commits: '6 70354999e43ce52e',
  },
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
}

/** What the image's RUN does (see samples/tools/Dockerfile.template), in a temporary folder. */
function replay(task: string): Ids {
  const tmp = mkdtempSync(path.join(tmpdir(), `swe-gym-history-${task}-`));
  try {
    const src = path.join(tmp, 'src');
    const dest = path.join(tmp, 'testbed');
    const dir = path.join(TASKS, task);
    cpSync(path.join(dir, 'repo'), path.join(src, 'repo'), { recursive: true });
    cpSync(path.join(dir, 'history'), path.join(src, 'history'), { recursive: true });
    for (const p of ['gold.patch', 'test.patch']) cpSync(path.join(dir, p), path.join(src, 'future', p));
    // A clean environment: the user's git config and identity must not leak into the commits.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C.UTF-8' };
    execFileSync('sh', [path.join(src, 'history', 'replay.sh'), src, dest], { env, stdio: 'pipe' });
    const commits = git(dest, 'rev-list', '--all').split('\n').sort();
    const digest = execFileSync('sha256sum', { input: `${commits.join('\n')}\n`, encoding: 'utf8' }).slice(0, 16);
    const refs = Object.fromEntries(
      git(dest, 'for-each-ref', '--format=%(refname) %(objectname)')
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    const ids = { base: git(dest, 'rev-parse', 'HEAD'), baseTree: git(dest, 'rev-parse', 'HEAD^{tree}'), refs, commits: `${commits.length} ${digest}` };
    git(dest, 'apply', path.join(dir, 'gold.patch'));
    git(dest, 'add', '-A');
    const goldTree = git(dest, 'write-tree');
    git(dest, 'apply', path.join(dir, 'test.patch'));
    git(dest, 'add', '-A');
    return { ...ids, goldTree, goldTestTree: git(dest, 'write-tree') };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('sample histories', () => {
  test('every task is listed here', () => {
    assert.deepEqual(readdirSync(TASKS).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [task, expected] of Object.entries(EXPECTED)) {
    test(`${task}: the replay gives the same commits, refs and base/gold trees as ever, and base_commit is the row's`, () => {
      assert.deepEqual(replay(task), expected);
      const tests = JSON.parse(readFileSync(path.join(TASKS, task, 'tests.json'), 'utf8')) as { base_commit: string };
      assert.equal(tests.base_commit, expected.base);
    });
  }

  test('history folders hold the steps, the shared replayer and small patches: no copied files', () => {
    const shared = readFileSync(path.join(TASKS, '..', 'tools', 'replay-history.sh'), 'utf8');
    for (const task of Object.keys(EXPECTED)) {
      const dir = path.join(TASKS, task, 'history');
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        assert.ok(f.isFile() && (f.name === 'steps' || f.name === 'replay.sh' || f.name.endsWith('.patch')), `${task}/history/${f.name} is neither a step patch nor the steps`);
        if (!f.name.endsWith('.patch')) continue;
        const patch = readFileSync(path.join(dir, f.name), 'utf8');
        // A step's files come from repo/ (take) and the patch holds only what differed then.
        assert.doesNotMatch(patch, /^new file mode/m, `${task}/history/${f.name} adds a whole file`);
      }
      assert.equal(readFileSync(path.join(dir, 'replay.sh'), 'utf8'), shared, `${task}/history/replay.sh is not the shared replayer`);
    }
  });
});
