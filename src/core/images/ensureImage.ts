import type { ContainerRuntime, ImageInfo } from '../runtime/containerRuntime';
import { ImageUnavailableError } from '../runtime/errors';
import { resolveBuildContext } from './buildContext';
import { hashBuildContext } from './contextHash';
import type { ImageRef } from './imageRef';

export const LABEL_CONTEXT_HASH = 'io.swe-gym-studio.context-hash';

export interface ImageProgress {
  phase: 'present' | 'pull' | 'build';
  message: string;
  currentBytes?: number;
  totalBytes?: number;
}

export interface EnsureImageOptions {
  onProgress?: (e: ImageProgress) => void;
  signal?: AbortSignal;
}

export interface EnsuredImage {
  image: string;
  source: 'present' | 'pulled' | 'built';
  sizeBytes: number;
  /** e.g. an amd64 image on an arm64 host (runs emulated, about 6x slower). */
  warnings: string[];
}

// Concurrent workers asking the same engine for the same image share one pull/build (another
// engine of a pool builds or pulls its own).
const inFlightByEngine = new WeakMap<ContainerRuntime, Map<string, Promise<EnsuredImage>>>();

/** Makes `ref` present as its policy says (build, pull, or only check); see ImageRef. */
export function ensureImage(runtime: ContainerRuntime, ref: ImageRef, options: EnsureImageOptions = {}): Promise<EnsuredImage> {
  let inFlight = inFlightByEngine.get(runtime);
  if (!inFlight) inFlightByEngine.set(runtime, (inFlight = new Map()));
  const running = inFlight.get(ref.name);
  if (running) return running;
  const work = ensureNamedImage(runtime, ref, options).finally(() => inFlight.delete(ref.name));
  inFlight.set(ref.name, work);
  return work;
}

async function ensureNamedImage(runtime: ContainerRuntime, ref: ImageRef, options: EnsureImageOptions): Promise<EnsuredImage> {
  const progress = options.onProgress ?? (() => undefined);
  const image = ref.name;
  let source: EnsuredImage['source'] = 'present';
  // One engine round trip when the image is already there (every grade asks): its answer is reused.
  let info: ImageInfo | undefined;
  if (ref.policy === 'build' && ref.build) {
    const contextDir = await resolveBuildContext(ref.build.datasetDir, ref.build.instanceId, ref.build.context);
    const [wanted, existing] = await Promise.all([hashBuildContext(contextDir), runtime.inspectImage(image)]);
    info = existing;
    if (existing?.labels[LABEL_CONTEXT_HASH] !== wanted) {
      progress({ phase: 'build', message: `Building ${image} from ${contextDir}` });
      try {
        await runtime.buildImage(contextDir, image, {
          labels: { [LABEL_CONTEXT_HASH]: wanted },
          onLog: (line) => progress({ phase: 'build', message: line }),
          signal: options.signal,
        });
      } catch (err) {
        throw explainBuildFailure(err, image);
      }
      source = 'built';
    }
  } else if (!(info = await runtime.inspectImage(image))) {
    if (ref.policy === 'local') throw new ImageUnavailableError(`Image ${image} is not present locally and pulling is turned off.`);
    progress({ phase: 'pull', message: `Pulling ${image}` });
    await runtime.pullImage(
      image,
      (p) => progress({ phase: 'pull', message: `${p.layer ? `${p.layer}: ` : ''}${p.status}`, currentBytes: p.currentBytes, totalBytes: p.totalBytes }),
      options.signal,
    );
    source = 'pulled';
  }
  if (source !== 'present') info = await runtime.inspectImage(image);
  if (!info) throw new ImageUnavailableError(`Image ${image} is still missing after ${source === 'built' ? 'the build' : 'the pull'}.`);
  if (source === 'present') progress({ phase: 'present', message: `Using ${image}` });
  const warnings: string[] = [];
  const host = runtime.hostArchitecture();
  if (info.architecture && info.architecture !== host) {
    warnings.push(`Image ${image} is ${info.architecture} but this host is ${host}: it runs emulated, several times slower, and timeouts may need raising.`);
  }
  return { image, source, sizeBytes: info.sizeBytes, warnings };
}

function explainBuildFailure(err: unknown, image: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  // The Dockerfile's FROM image is missing locally and had to come from a registry.
  if (/pull access denied|repository does not exist|manifest unknown|registry|dial tcp|no such host/i.test(message)) {
    return new ImageUnavailableError(
      `Building ${image} needs a base image that is not present locally and could not be pulled (${message}). For the bundled samples, run \`bash scripts/lib/ensure-base-image.sh\` (or \`npm run demo\`) first.`,
    );
  }
  return err instanceof Error ? err : new Error(message);
}
