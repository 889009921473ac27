import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import { engineAddress } from '../../src/core/runtime/docker/engineAddress';
import { EngineUnavailableError } from '../../src/core/runtime/errors';
import { SSH_PORT, SSHD_DIR } from './remoteSupport';

test('ssh:// reads an ssh_config file: a Host alias gives HostName, Port, User, IdentityFile and UserKnownHostsFile; the URL wins; Match exec is never run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-ssh-config-'));
  try {
    const configFile = path.join(dir, 'config');
    const ran = path.join(dir, 'match-exec-ran');
    fs.writeFileSync(
      configFile,
      [
        '# written by the test; the user\'s ~/.ssh is never read here',
        `Match exec "touch ${ran}"`,
        '  User nobody',
        'Host swe-gym-test-engine other-alias',
        '  HostName 127.0.0.1',
        `  Port ${SSH_PORT}`,
        '  User root',
        '  IdentityFile /nonexistent/%h/key',
        `  IdentityFile ${SSHD_DIR}/id_%r_ignored ${path.join(SSHD_DIR, 'id_ed25519')}`,
        `  UserKnownHostsFile ${path.join(SSHD_DIR, 'known_hosts')}`,
        'Host *',
        '  User nobody-else',
        '  Port 1',
        '',
      ].join('\n'),
    );
    const connect = { ssh: { configFile } };

    // Nothing else names the key, the known hosts, the port or the user: only the config does.
    const address = engineAddress('ssh://swe-gym-test-engine', connect);
    assert.equal(address.endpoint, `ssh://root@127.0.0.1:${SSH_PORT}`);
    const runtime = new DockerRuntime({ engine: 'ssh://swe-gym-test-engine', connect });
    await runtime.ping();
    assert.deepEqual(await runtime.listOurContainers({ sessionId: 'none-such-session' }), []);
    assert.equal(fs.existsSync(ran), false, 'Match exec was not run');

    // The URL's user and port win over the config, as on ssh's command line; an unlisted host takes `Host *`.
    assert.equal(engineAddress('ssh://someone@other-alias:2200', connect).endpoint, 'ssh://someone@127.0.0.1:2200');
    assert.equal(engineAddress('ssh://unlisted.example', connect).endpoint, 'ssh://nobody-else@unlisted.example:1');

    // A config that names a file that cannot be read is said so, before anything is contacted.
    assert.throws(() => engineAddress('ssh://swe-gym-test-engine', { ssh: { configFile: path.join(dir, 'missing') } }), /Cannot read the SSH config .*missing/);
    // The alias resolved, but the config's user is refused by the server: authentication names the key tried.
    const wrongUser = new DockerRuntime({ engine: 'ssh://nobody@swe-gym-test-engine', connect });
    await assert.rejects(wrongUser.ping(), (err: Error) => {
      assert.ok(err instanceof EngineUnavailableError, String(err));
      assert.match(err.message, /authentication as nobody failed \(.*id_ed25519\)/);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
