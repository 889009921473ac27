import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';

// Set by scripts/test-remote.sh: an sshd of our own on 127.0.0.1 (scripts/lib/ensure-sshd.sh)
// whose root reaches the same dockerd, and its throwaway key pair and known_hosts.
export const SSHD_DIR = process.env.SWE_GYM_SSHD_DIR ?? '/run/swe-gym-sshd';
export const SSH_PORT = Number(fs.readFileSync(path.join(SSHD_DIR, 'port'), 'utf8').trim());
export const SSH_ENGINE = `ssh://root@127.0.0.1:${SSH_PORT}`;
export const SSH_SETTINGS = { identityFile: path.join(SSHD_DIR, 'id_ed25519'), knownHostsFile: path.join(SSHD_DIR, 'known_hosts') };

export function sshRuntime(): DockerRuntime {
  return new DockerRuntime({ engine: SSH_ENGINE, connect: { ssh: SSH_SETTINGS } });
}
