import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import type { ContainerHandle, ContainerPurpose } from '../../src/core/runtime/containerRuntime';

/** The base image scripts/lib/ensure-base-image.sh builds; every Docker test starts from it. */
export const BASE_IMAGE = process.env.SWE_GYM_BASE_IMAGE ?? 'swe-gym-studio/base:bookworm-1';
export const TEST_SESSION = `test-${process.pid}`;

export const runtime = new DockerRuntime();

/** Creates a labelled test container and registers it for removal when the test ends. */
export async function withContainer<T>(fn: (c: ContainerHandle) => Promise<T>, purpose: ContainerPurpose = 'test'): Promise<T> {
  const c = await runtime.createContainer({ image: BASE_IMAGE, purpose, sessionId: TEST_SESSION });
  try {
    return await fn(c);
  } finally {
    await c.remove();
  }
}
