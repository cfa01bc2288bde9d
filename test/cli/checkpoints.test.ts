/** convert, export, classify and features as a user runs them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EfficientNet } from '../../src/index.js';
import { readCheckpoint, writeCheckpoint } from '../../src/weights/checkpoint.js';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { readNpy } from '../../src/io/npy.js';
import { Session } from '../../src/runtime/session.js';
import { withDir } from '../support/tempdir.js';
import { FIXTURES, relativeError, syntheticStateDict } from '../support/fixtures.js';
import { cli } from '../support/cli.js';

test('convert lukemelas → torchvision .pth → timm .safetensors → lukemelas is lossless', () => withDir(async (dir) => {
  const net = EfficientNet.fromName('efficientnet-b1', { seed: 3, numClasses: 7 });
  await net.save(join(dir, 'a.safetensors'));
  // "same"-padding weights under torchvision's names need --force (test/cli/newcomer.test.ts).
  assert.equal((await cli('convert', join(dir, 'a.safetensors'), join(dir, 'b.pth'), '--to', 'torchvision', '--force')).code, 0);
  const tv = await readCheckpoint(join(dir, 'b.pth'));
  assert.equal(tv.format, 'pth-zip');
  assert.ok(tv.tensors.has('features.0.0.weight') && tv.tensors.has('classifier.1.bias'));
  assert.equal((await cli('convert', join(dir, 'b.pth'), join(dir, 'c.safetensors'), '--to', 'timm', '--model', 'efficientnet_b1')).code, 0);
  assert.ok((await readCheckpoint(join(dir, 'c.safetensors'))).tensors.has('blocks.6.1.conv_pwl.weight'));
  assert.equal((await cli('convert', join(dir, 'c.safetensors'), join(dir, 'd.safetensors'), '--to', 'lukemelas', '--model', 'efficientnet_b1')).code, 0);
  const back = (await readCheckpoint(join(dir, 'd.safetensors'))).tensors;
  assert.deepEqual([...back.keys()], [...net.weights.keys()]);
  for (const [key, tensor] of net.weights) assert.deepEqual(back.get(key)!.data, tensor.data, key);
}));

test('a saved model carries its labels and preprocessing', () => withDir(async (dir) => {
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 3, labels: ['cat', 'dog', 'fox'], imageSize: 192 });
  await net.save(join(dir, 'm.safetensors'));
  const loaded = await EfficientNet.fromWeights(join(dir, 'm.safetensors'));
  assert.deepEqual(loaded.labels, ['cat', 'dog', 'fox']);
  assert.deepEqual(loaded.config.imageSize, [192, 192]);
  assert.deepEqual(loaded.preprocess, net.preprocess);
}));

test('export writes an ONNX file onnxruntime runs with the same outputs as forward', () => withDir(async (dir) => {
  const b0 = buildNetwork(resolveConfig('efficientnet-b0'));
  await writeCheckpoint(join(dir, 'm.pth'), syntheticStateDict(b0, 'torchvision', 5), 'pth');
  const result = await cli('export', '--weights', join(dir, 'm.pth'), '--onnx', join(dir, 'm.onnx'), '--dynamic-batch');
  assert.equal(result.code, 0, result.stderr);
  const session = await Session.create(await readFile(join(dir, 'm.onnx')));
  const loaded = await EfficientNet.fromWeights(join(dir, 'm.pth'));
  const data = new Float32Array(2 * 3 * 224 * 224).map((_, i) => Math.sin(i / 7));
  const exported = (await session.run({ input: { type: 'float32', dims: [2, 3, 224, 224], data } })).logits;
  const ours = await loaded.forward({ data, dims: [2, 3, 224, 224] });
  assert.deepEqual(exported.dims, [2, 1000]);
  // Fixed shapes may pick other kernels than the dynamic graph: equal to float rounding.
  assert.ok(relativeError(exported.data as Float32Array, ours.data) < 1e-5);
  await session.release();
  // Weights in a side file, as ONNX's external-data convention has it (automatic past 2 GB, for L2).
  assert.equal((await cli('export', '--weights', join(dir, 'm.pth'), '--onnx', join(dir, 'e.onnx'), '--external-data', '--dynamic-batch')).code, 0);
  const external = await Session.create(await readFile(join(dir, 'e.onnx')), {}, [{ path: 'e.onnx.data', data: await readFile(join(dir, 'e.onnx.data')) }]);
  const fromExternal = (await external.run({ input: { type: 'float32', dims: [2, 3, 224, 224], data } })).logits;
  assert.ok(relativeError(fromExternal.data as Float32Array, ours.data) < 1e-5);
  await external.release();
  await rm(join(dir, 'e.onnx'));
  await rm(join(dir, 'e.onnx.data'));
  await loaded.dispose();
  const bad = await cli('export', '--weights', join(dir, 'm.pth'), '--onnx', join(dir, 'x.onnx'), '--opset', '7');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /opset 7 is not supported; expected 13 to 21/);
  assert.deepEqual((await readdir(dir)).sort(), ['m.onnx', 'm.pth']);
}));

test('classify and features walk folders, skip bad files by name, and exit 1 at the end', () => withDir(async (dir) => {
  await EfficientNet.fromName('efficientnet-b0', { numClasses: 2, labels: ['yes', 'no'] }).save(join(dir, 'm.safetensors'));
  const images = join(FIXTURES, 'images');
  const result = await cli('classify', images, '--weights', join(dir, 'm.safetensors'), '--json', '--top-k', '1', '--batch-size', '4');
  assert.equal(result.code, 1);
  const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; predictions: { label: string }[] });
  assert.ok(lines.some((l) => l.file.endsWith('chelsea.jpg')));
  assert.ok(lines.every((l) => ['yes', 'no'].includes(l.predictions[0].label)));
  assert.match(result.stderr, /skipped .*notes\.jpg: unsupported image format\n/);
  assert.doesNotMatch(result.stderr, /Cannot decode image/, 'the file is named once, by the skip line');
  assert.match(result.stderr, /skipped .*empty\.jpg: empty file/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  const good = await cli('features', join(images, 'coffee.jpg'), join(images, 'rocket.jpg'), '--weights', join(dir, 'm.safetensors'), '--output', join(dir, 'f.npy'));
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual((await readNpy(join(dir, 'f.npy'))).shape, [2, 1280]);
  assert.match(good.stdout, /^0\t.*coffee\.jpg\n1\t.*rocket\.jpg\n$/);
  const none = await cli('classify', join(dir, 'nothing-here'), '--weights', join(dir, 'm.safetensors'));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No images found in .*nothing-here/);
}));
