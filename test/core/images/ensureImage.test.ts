import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as tarStream from 'tar-stream';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { ensureImage } from '../../../src/core/images/ensureImage';
import { imageRefFor } from '../../../src/core/images/imageRef';
import { ImageUnavailableError } from '../../../src/core/runtime/errors';
import { BASE_IMAGE, runtime } from '../../support/docker';

function row(id: string, extra: Partial<TaskInstance> = {}): TaskInstance {
  return {
    instance_id: id, repo: 'o/r', base_commit: 'abc1234', patch: '', test_patch: '', problem_statement: '', hints_text: '',
    created_at: '', version: '1.0', FAIL_TO_PASS: [], PASS_TO_PASS: [], ...extra,
  };
}

test('image names follow SWE-Gym and SWE-bench public rules, a row image, or a user template', () => {
  assert.equal(imageRefFor(row('getmoto__moto-7365'), 'swe-gym').name, 'xingyaoww/sweb.eval.x86_64.getmoto_s_moto-7365:latest');
  assert.equal(imageRefFor(row('Project-MONAI__MONAI-1010'), 'swe-gym').name, 'xingyaoww/sweb.eval.x86_64.project-monai_s_monai-1010:latest');
  assert.equal(imageRefFor(row('django__django-11099'), 'swe-bench').name, 'swebench/sweb.eval.x86_64.django_1776_django-11099:latest');
  assert.equal(imageRefFor(row('a__b-1', { image_name: 'mine:1' }), 'swe-gym').name, 'mine:1');
  assert.equal(imageRefFor(row('a__b-1', { image_name: 'mine:1' }), 'swe-gym', { template: 'reg.local/{id_swegym}:{version}' }).name, 'reg.local/a_s_b-1:1.0');
  assert.throws(() => imageRefFor(row('a__b-1'), 'swe-gym', { template: '{nope}' }).name, /Unknown placeholder \{nope\}/);
});

test('a registry that cannot be reached is a clear ImageUnavailableError, quickly', async () => {
  const started = Date.now();
  await assert.rejects(
    ensureImage(runtime, imageRefFor(row('getmoto__moto-7365'), 'swe-gym')),
    (err: Error) => err instanceof ImageUnavailableError && /Cannot pull xingyaoww\/sweb\.eval\.x86_64\.getmoto_s_moto-7365:latest/.test(err.message),
  );
  assert.ok(Date.now() - started < 60_000);
  await assert.rejects(ensureImage(runtime, imageRefFor(row('getmoto__moto-7365'), 'swe-gym', { allowPull: false })), /not present locally and pulling is turned off/);
});

test('a build context is built once, reused while unchanged, rebuilt when it changes', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-ctx-'));
  const tag = `swe-gym-studio/test-build:${process.pid}`;
  try {
    await fs.mkdir(path.join(dir, 'img'));
    await fs.writeFile(path.join(dir, 'img', 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo one > /marker\n`);
    const inst = row('t__build-1', { image_name: tag, image_build_context: 'img' });
    const first = await ensureImage(runtime, imageRefFor(inst, 'samples', { datasetDir: dir }));
    assert.equal(first.source, 'built');
    assert.equal((await ensureImage(runtime, imageRefFor(inst, 'samples', { datasetDir: dir }))).source, 'present');
    await fs.writeFile(path.join(dir, 'img', 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo two > /marker\n`);
    assert.equal((await ensureImage(runtime, imageRefFor(inst, 'samples', { datasetDir: dir }))).source, 'built');
    await fs.writeFile(path.join(dir, 'img', 'Dockerfile'), 'FROM swe-gym-studio/base:no-such-tag\n');
    await assert.rejects(ensureImage(runtime, imageRefFor(inst, 'samples', { datasetDir: dir })), /ensure-base-image/);
  } finally {
    execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an image of another architecture is used with a warning', async () => {
  const tag = `swe-gym-studio/test-arch:${process.pid}`;
  const foreign = runtime.hostArchitecture() === 'arm64' ? 'amd64' : 'arm64';
  try {
    // dockerd 20.10's import ignores --platform, so load a one-layer image whose config says so.
    execFileSync('docker', ['load'], { input: await foreignImageArchive(tag, foreign), stdio: ['pipe', 'ignore', 'inherit'] });
    const r = await ensureImage(runtime, imageRefFor(row('x__y-1', { image_name: tag }), 'samples'));
    assert.equal(r.source, 'present');
    assert.match(r.warnings.join('\n'), new RegExp(`is ${foreign} but this host is ${runtime.hostArchitecture()}`));
  } finally {
    execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
  }
});

/** A `docker save` archive of an image with one empty layer and the given architecture. */
async function foreignImageArchive(tag: string, architecture: string): Promise<Buffer> {
  const emptyLayer = Buffer.alloc(1024); // an empty tar: two zero blocks
  const diffId = `sha256:${createHash('sha256').update(emptyLayer).digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ architecture, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['layer/layer.tar'] }]));
  const pack = tarStream.pack();
  pack.entry({ name: 'layer/layer.tar' }, emptyLayer);
  pack.entry({ name: configName }, config);
  pack.entry({ name: 'manifest.json' }, manifest);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

test('a row\'s image_build_context must stay inside the dataset folder: ../, absolute paths and links out are refused before any build', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-ctx-'));
  const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-outside-'));
  t.after(() => Promise.all([fs.rm(dir, { recursive: true, force: true }), fs.rm(outside, { recursive: true, force: true })]));
  await fs.writeFile(path.join(outside, 'Dockerfile'), `FROM ${BASE_IMAGE}\n`);
  await fs.symlink(outside, path.join(dir, 'linked'));
  await fs.writeFile(path.join(dir, 'file'), '');
  const tag = `swe-gym-studio/test-escape:${process.pid}`;
  const cases: [string, RegExp][] = [
    [`../${path.basename(outside)}`, /image_build_context "\.\.\/swe-gym-outside-\w+" leads out of the dataset folder; a build context must be a folder inside the dataset's folder/],
    ['../../../../../../', /leads out of the dataset folder/],
    [outside, /is an absolute path/],
    ['linked', /is a link to .*swe-gym-outside-\w+, outside the dataset folder/],
    ['missing', /does not exist/],
    ['file', /is not a folder/],
  ];
  for (const [context, message] of cases) {
    await assert.rejects(ensureImage(runtime, imageRefFor(row('t__escape-1', { image_name: tag, image_build_context: context }), 'samples', { datasetDir: dir })), (err: Error) => err.name === 'BuildContextError' && message.test(err.message), context);
  }
  assert.equal(await runtime.inspectImage(tag), undefined, 'nothing was built');
});
