import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { RunRecord } from '../../../src/shared/runRecord';
import type { SessionView } from '../../../src/shared/instancePage';
import { containerExists, docker, getApi, replaceAndSave, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';
// Set by scripts/test-remote.sh (with SWE_GYM_TEST_GREP on this suite): an sshd of our own on
// 127.0.0.1 whose root reaches the same dockerd (scripts/lib/ensure-sshd.sh). Not registered in the
// plain extension tier, which has no sshd.
const SSHD_DIR = process.env.SWE_GYM_REMOTE_SUITE === '1' ? (process.env.SWE_GYM_SSHD_DIR ?? '/run/swe-gym-sshd') : undefined;

function ourContainers(api: SweGymApi): string[] {
  const r = docker('ps', '-aq', '--filter', `label=io.swe-gym-studio.session=${api.sessionId}`, '--filter', `label=io.swe-gym-studio.instance=${ID}`);
  return r.out ? r.out.split('\n') : [];
}

if (SSHD_DIR) {
  describe('remote engine over ssh:// (the synced workspace in the editor)', function () {
    this.timeout(240_000);
    let api: SweGymApi;
    let ws: string;
    let containerId: string;
    const inContainer = (file: string) => docker('exec', containerId, 'cat', `/testbed/${file}`);

    before(async () => {
      api = await getApi();
      const port = fs.readFileSync(path.join(SSHD_DIR, 'port'), 'utf8').trim();
      await setSetting('engine', `ssh://root@127.0.0.1:${port}`);
      await setSetting('ssh.identityFile', path.join(SSHD_DIR, 'id_ed25519'));
      await setSetting('ssh.knownHostsFile', path.join(SSHD_DIR, 'known_hosts'));
      // This suite is about the workspace; the server's upload is the core remote tier's.
      await setSetting('languageServer.enabled', false);
    });

    after(async () => {
      if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
      if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
      for (const key of ['engine', 'ssh.identityFile', 'ssh.knownHostsFile', 'languageServer.enabled']) await setSetting(key, undefined);
    });

    it('launches without a mount: the workspace is a synced copy, and the window says so', async () => {
      const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
      assert.equal(view?.state, 'running', api.notices.at(-1));
      ws = view.workspaceDir as string;
      containerId = view.containerId as string;
      assert.equal(docker('inspect', '--format', '{{json .Mounts}}', containerId).out, '[]', 'nothing of the host is mounted');
      assert.ok(api.devContainers.synced.has(ID));
      assert.ok(fs.existsSync(path.join(ws, 'textkit', 'align.py')));
      await waitFor('the container terminal', () => vscode.window.terminals.find((t) => t.name === `SWE-Gym: ${ID}`));
    });

    it('an edit saved in the editor reaches the container', async () => {
      const abs = path.join(ws, 'textkit', 'align.py');
      const [file] = parsePatch(api.datasets.find(ID)?.instance.patch ?? '');
      assert.ok(file);
      const after = applyPatch(fs.readFileSync(abs, 'utf8'), file);
      assert.ok(typeof after === 'string', 'the gold patch applies');
      await replaceAndSave(abs, after, { show: true });
      await waitFor('the saved edit in the container', () => inContainer('textkit/align.py').out === after.trimEnd(), 30_000);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('the container terminal: host files are pushed before a command, and what it writes comes back', async () => {
      // Written without the editor (no save event): only the push before the command carries it.
      fs.writeFileSync(path.join(ws, 'from_host.txt'), 'written on the host\n');
      const terminal = await waitFor('the container terminal', () => vscode.window.terminals.find((t) => t.name === `SWE-Gym: ${ID}`));
      terminal.sendText('cat from_host.txt > seen_in_container.txt; echo "$PWD $(hostname)" >> seen_in_container.txt');
      const back = path.join(ws, 'seen_in_container.txt');
      const text = await waitFor('the terminal\'s file on the host', () => fs.existsSync(back) && fs.readFileSync(back, 'utf8'), 60_000);
      assert.equal(text, `written on the host\n/testbed ${containerId.slice(0, 12)}\n`);
    });

    it('an edit made in the container by anything else comes back within a few seconds', async () => {
      const r = docker('exec', containerId, 'sh', '-c', 'mkdir -p /testbed/made && echo by-the-timer > /testbed/made/later.txt');
      assert.equal(r.code, 0, r.out);
      const back = path.join(ws, 'made', 'later.txt');
      assert.equal(await waitFor('the periodic pull', () => fs.existsSync(back) && fs.readFileSync(back, 'utf8'), 30_000), 'by-the-timer\n');
    });

    it('Run hidden tests pushes first and grades the saved edit: resolved', async () => {
      fs.writeFileSync(path.join(ws, 'pushed_by_grade.txt'), 'no save event for this one\n');
      const record = (await vscode.commands.executeCommand('sweGym.runTests', ID)) as RunRecord | undefined;
      assert.ok(record, api.notices.at(-1));
      assert.equal(record.status, 'resolved', record.error);
      assert.equal(record.failToPass?.passed, record.failToPass?.total);
      assert.equal(inContainer('pushed_by_grade.txt').out, 'no save event for this one');
    });

    it('stop takes the container\'s last edits back and leaves no container', async () => {
      const r = docker('exec', containerId, 'sh', '-c', 'echo last words > /testbed/last.txt');
      assert.equal(r.code, 0, r.out);
      await vscode.commands.executeCommand('sweGym.stop', ID);
      assert.equal(fs.readFileSync(path.join(ws, 'last.txt'), 'utf8'), 'last words\n');
      assert.equal(containerExists(containerId), false);
      assert.deepEqual(ourContainers(api), []);
      assert.equal(api.devContainers.synced.has(ID), false);
    });
  });
}
