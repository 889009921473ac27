import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import { RuntimeProvider } from '../../src/extension/devContainers/runtimeProvider';

// Run by scripts/test-podman.sh (DOCKER_HOST: Podman's socket; SWE_GYM_DOCKER_ENGINE: Docker's).
// The extension's engine client as the settings name it (sweGym.engine wins over sweGym.docker.socketPath).
test('sweGym.engine picks the extension\'s engine; a change rebuilds the client; a name that means nothing is reported once', async () => {
  const podmanSocket = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
  const dockerSocket = process.env.SWE_GYM_DOCKER_ENGINE ?? '/var/run/docker.sock';
  const settings = { engine: undefined as string | undefined, dockerSocket: dockerSocket as string | undefined, containerLimits: { limits: {} }, allowInternet: false };
  const warnings: string[] = [];
  const provider = new RuntimeProvider(settings, (m) => warnings.push(m));
  const kind = (r: unknown) => (r as DockerRuntime).engineKind();
  assert.equal(await kind(provider.get()), 'docker', 'no sweGym.engine: the socket setting');
  settings.engine = `unix://${podmanSocket}`;
  const onPodman = provider.get();
  assert.equal(await kind(onPodman), 'podman');
  assert.equal(provider.get(), onPodman, 'the same client while the setting stays');
  const prior = process.env.SWE_GYM_PODMAN_SOCKET;
  process.env.SWE_GYM_PODMAN_SOCKET = podmanSocket;
  try {
    settings.engine = 'podman';
    assert.equal(await kind(provider.get()), 'podman', '`podman` names its Docker-compatible socket');
  } finally {
    if (prior === undefined) delete process.env.SWE_GYM_PODMAN_SOCKET;
    else process.env.SWE_GYM_PODMAN_SOCKET = prior;
  }
  settings.engine = 'ftp://nowhere';
  settings.dockerSocket = undefined;
  provider.get();
  provider.get();
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /^sweGym\.engine: .*ftp:.*not supported.*using Docker's default/);
});
