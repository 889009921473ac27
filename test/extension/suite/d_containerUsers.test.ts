import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { containerExists, docker, getApi, waitFor } from './helpers';

const ID = 'swe-gym-studio__argsy-9';
/** The owner beat and the record file as compiled beside this suite: another process runs them as another window would. */
const OWNERS_MODULE = path.join(__dirname, '../../../src/extension/agent/runOwners.js');
const RECORD_MODULE = path.join(__dirname, '../../../src/core/util/recordFile.js');
const FORMAT = 'swe-gym-studio/instances@1';

/** Runs a script as another window's extension host would (a real process on the same files); resolves when it exits cleanly. */
async function asOtherWindow(script: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `const { RecordFile } = require(${JSON.stringify(RECORD_MODULE)});\n${script}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, `the other window failed: ${stderr}`);
}

describe('a dev container two windows use', function () {
  this.timeout(300_000);
  const children: ChildProcess[] = [];
  let containerId: string | undefined;
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    const api = await getApi();
    if (api.devContainers.isRunning(ID)) await api.devContainers.stop(ID, true).catch(() => undefined);
    if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
  });

  it("keeps the other window's writes to the instance records, and Stop leaves a container another live window uses running", async () => {
    const api = await getApi();
    const state = api.state;
    const tag = randomBytes(3).toString('hex');
    const rounds = 15;
    const ids = Array.from({ length: rounds }, (_, i) => `two-windows-${tag}-${i}`);

    // Another window reveals gold patches while this one reveals test names, of the same instances, at the same moment.
    const other = asOtherWindow(`const records = new RecordFile(${JSON.stringify(state.file)}, { format: ${JSON.stringify(FORMAT)} });
(async () => { for (const id of ${JSON.stringify(ids)}) await records.update(id, (r) => ({ ...r, revealed: { ...(r && r.revealed), gold: { at: new Date().toISOString() } } })); })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`);
    for (const id of ids) await state.reveal(id, 'tests');
    await other;
    for (const id of ids) assert.deepEqual(Object.keys(state.get(id).revealed ?? {}).sort(), ['gold', 'tests'], `both windows' reveals of ${id} kept`);

    // This window launches; the record names it as the container's one user.
    const ref = api.datasets.find(ID);
    assert.ok(ref, `${ID} is not in the samples`);
    const view = await api.devContainers.launch(ref);
    assert.equal(view.state, 'running', api.notices.at(-1));
    containerId = view.containerId as string;
    const self = state.windows.self;
    assert.deepEqual(state.get(ID).session?.users, [self]);

    // Another window, still open (a real process beating), uses the same container: it found it in the record.
    const otherId = `other-window-${tag}`;
    const beating = spawn(process.execPath, ['-e', `const { RunOwners } = require(${JSON.stringify(OWNERS_MODULE)}); new RunOwners(${JSON.stringify(api.agents.runs.owners.dir)}, ${JSON.stringify(otherId)}, { beatMs: 200 }).start(); setInterval(() => {}, 1000);`], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    children.push(beating);
    await waitFor('the other window beating', () => state.windows.isAlive(otherId), 20_000);
    await asOtherWindow(`const records = new RecordFile(${JSON.stringify(state.file)}, { format: ${JSON.stringify(FORMAT)} });
records.update(${JSON.stringify(ID)}, (r) => ({ ...r, session: { ...r.session, users: [...r.session.users, ${JSON.stringify(otherId)}] } })).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`);

    // Stop here: the other window still uses it, so it keeps running; this window lets go of it.
    await api.devContainers.stop(ID);
    assert.equal(docker('inspect', '--format', '{{.State.Status}}', containerId).out, 'running', "the other window's container was removed");
    assert.equal(api.devContainers.isRunning(ID), false);
    assert.deepEqual(state.get(ID).session?.users, [otherId]);
    assert.equal(state.get(ID).session?.containerId, containerId);

    // Launching here again uses that container (no second one).
    const again = await api.devContainers.launch(ref);
    assert.equal(again.containerId, containerId);
    assert.deepEqual(state.get(ID).session?.users?.slice().sort(), [otherId, self].sort());
    // (This window's containers carry its session id: other engineers' runs of the same sample are not counted.)
    assert.deepEqual(docker('ps', '-q', '--no-trunc', '--filter', `label=io.swe-gym-studio.instance=${ID}`, '--filter', `label=io.swe-gym-studio.session=${self}`).out.split('\n').filter(Boolean), [containerId]);

    // The other window closes: Stop removes the container, and the record goes.
    beating.kill('SIGKILL');
    await waitFor('the other window to exit', () => beating.exitCode !== null || beating.signalCode !== null);
    await api.devContainers.stop(ID);
    assert.equal(containerExists(containerId), false, 'the container is removed once no other window uses it');
    assert.equal(state.get(ID).session, undefined);
  });
});
