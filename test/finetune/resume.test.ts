/**
 * Fine-tuning refuses to start rather than overwrite good files: zero usable images, or a resume
 * state that is damaged (truncated, metadata not JSON, fields missing, an impossible epoch) is one
 * error naming the file and the problem, before anything is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DatasetError, FileFormatError } from '../../src/errors.js';
import { fit } from '../../src/finetune/fit.js';
import { EfficientNet } from '../../src/index.js';
import { changedSettings } from '../../src/finetune/resume.js';
import { readSafetensors, writeSafetensors } from '../../src/weights/formats/safetensors.js';
import { cli } from '../support/cli.js';
import { withDir } from '../support/tempdir.js';
import { fashion, folderOf, smallNet } from './support.js';

/** Every file in `dir` with its bytes, to prove nothing changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, (await readFile(join(dir, f))).toString('base64')] as [string, string])));
}

test('--in-channels 2 on RGB images: an error before anything is written; earlier files untouched', async () => {
  const root = await folderOf(['bag', 'shoe'], 2);
  try {
    for (const file of ['m.safetensors', 'm.last.safetensors', 'm.state.safetensors']) await writeFile(join(root, file), 'previous');
    const before = await snapshot(root);
    const r = await cli('finetune', root, '--model', 'efficientnet-b0', '--in-channels', '2', '--image-size', '32', '--epochs', '1', '--batch-size', '2', '--out', join(root, 'm.safetensors'));
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^efficientnet: No usable training images: all 4 failed to load; the first, '.*bag.*': mean has 2 entries but the image has 3 channel\(s\).*Nothing was written$/);
    assert.doesNotMatch(r.stdout, /saved|loss/);
    assert.deepEqual(await snapshot(root), before);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a damaged resume state is one error naming the state file and the problem; nothing is written', () => withDir(async (dir) => {
  const train = await fashion('train', 2, 2);
  const out = join(dir, 'm.safetensors');
  const state = join(dir, 'm.state.safetensors');
  const options = { epochs: 1, batchSize: 2, freeze: 'head' as const, augment: false as const, out };
  await (await fit(smallNet(), train, options)).model.dispose();
  const good = await readSafetensors(state);
  const meta = JSON.parse(good.metadata['efficientnet-ts-run']) as Record<string, any>;
  const damage: [string, () => Promise<void>, RegExp][] = [
    ['truncated', () => truncate(state, 100), /is damaged: it is not a valid safetensors file/],
    ['not JSON', () => writeSafetensors(state, good.tensors, { 'efficientnet-ts-run': '{"fingerprint": tru' }), /is damaged: its 'efficientnet-ts-run' metadata is not JSON/],
    ['fields missing', () => writeSafetensors(state, good.tensors, { 'efficientnet-ts-run': JSON.stringify({ ...meta, step: 'x', progress: { ...meta.progress, epoch: undefined } }) }),
      /is damaged: 'step' is "x", expected a whole number; 'progress\.epoch' is missing;/],
    ['epoch 1e9', () => writeSafetensors(state, good.tensors, { 'efficientnet-ts-run': JSON.stringify({ ...meta, progress: { ...meta.progress, epoch: 1e9 } }) }),
      /is damaged: it stands at epoch 1000000000 of a 1-epoch run; it records 1 finished epoch\(s\) but stands at epoch 1000000000;/],
    ['no metadata', () => writeSafetensors(state, good.tensors, {}), /is damaged: it has no 'efficientnet-ts-run' metadata/],
  ];
  for (const [what, spoil, message] of damage) {
    await writeSafetensors(state, good.tensors, good.metadata);
    await spoil();
    const before = await snapshot(dir);
    await assert.rejects(fit(smallNet(), train, { ...options, resume: true }), (e: Error) =>
      e instanceof FileFormatError && e.message.startsWith(`Training state '${state}' is damaged: `) && message.test(e.message) && !e.message.includes('\n'), what);
    assert.deepEqual(await snapshot(dir), before, `${what}: nothing written`);
  }
  await writeSafetensors(state, good.tensors, good.metadata);
  await assert.rejects(fit(smallNet(), train, { ...options, resume: true, epochs: 2, learningRate: 0.01, seed: 3 }), (e: Error) =>
    e instanceof ConfigError && /other settings \(epochs 1 → 2; learningRate default → 0\.01; seed default → 3\)/.test(e.message));
}));

test('changedSettings names each setting and the training files', () => {
  const a = JSON.stringify({ epochs: 1, classes: ['a', 'b'], files: 4, hash: 1 });
  assert.deepEqual(changedSettings(a, a), []);
  assert.deepEqual(changedSettings(a, JSON.stringify({ epochs: 1, classes: ['a', 'c'], files: 5, hash: 2 })), ['classes ["a","b"] → ["a","c"]', 'training files 4 → 5']);
  assert.deepEqual(changedSettings(a, JSON.stringify({ epochs: 1, classes: ['a', 'b'], files: 4, hash: 9 })), ['training files (same count, other names)']);
});

test('zero usable images through the API is a DatasetError naming the first failure', async () => {
  const train = await fashion('train', 1, 2);
  const net = EfficientNet.fromName('efficientnet-b0', { inChannels: 2, imageSize: 32, numClasses: 2 });
  const skipped: string[] = [];
  await assert.rejects(fit(net, train, { epochs: 1, batchSize: 2, onSkip: (path) => skipped.push(path) }), (e: Error) =>
    e instanceof DatasetError && /^No usable training images: all 2 failed to load; the first, '.*': mean has 2 entries/.test(e.message));
  assert.equal(skipped.length, 2, 'each failure reported by name');
  await net.dispose();
});
