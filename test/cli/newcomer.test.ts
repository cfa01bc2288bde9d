/**
 * What a newcomer tripped on (issue 12): --version, convert's help and its torchvision rule,
 * one success line from forward and gradients, finetune's closing line, image messages that
 * name the file once with a real reason, eval's warning once, ONNX metadata read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EfficientNet } from '../../src/index.js';
import { ConfigError, ImageDecodeError } from '../../src/errors.js';
import { writeNpy } from '../../src/io/npy.js';
import { imagenetClasses } from '../../src/data/labels.js';
import { ModelProto } from '../../src/runtime/onnx/schema.js';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { withDir } from '../support/tempdir.js';

const IMAGES = join(FIXTURES, 'images');
const NO_STACK = /\n\s+at /;

test('efficientnet --version prints the package version', async () => {
  const { version } = JSON.parse(await readFile(join(FIXTURES, '..', '..', 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = await cli(flag);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  }
});

test('convert --help lists only options convert honours', async () => {
  const { stdout, code } = await cli('convert', '--help');
  assert.equal(code, 0);
  for (const honoured of ['--to', '--format', '--force', '--model', '--padding', '--image-size', '--ema']) assert.match(stdout, new RegExp(`${honoured}\\b`));
  for (const ignored of ['--weights', '--threads', '--provider']) assert.doesNotMatch(stdout, new RegExp(ignored));
  const misuse = await cli('convert', '--weights', 'a.pth', 'b.pth');
  assert.equal(misuse.code, 2);
  assert.match(misuse.stderr, /unknown option '--weights'/);
});

test('"same"-padding weights under torchvision names: refused without --force / force: true, saying what changes', () => withDir(async (dir) => {
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 3 });
  await net.save(join(dir, 'ref.safetensors'));
  const refused = await cli('convert', join(dir, 'ref.safetensors'), join(dir, 'tv.pth'), '--to', 'torchvision');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^efficientnet: torchvision would load these efficientnet-b0 weights strictly but compute different logits: its network changes padding "same" → symmetric and batch-norm epsilon 0\.001 → 0\.00001\. Write them anyway with .*--force/);
  assert.doesNotMatch(refused.stderr, NO_STACK);
  assert.deepEqual(await readdir(dir), ['ref.safetensors'], 'nothing written');
  const forced = await cli('convert', join(dir, 'ref.safetensors'), join(dir, 'tv.pth'), '--to', 'torchvision', '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stderr, `wrote ${join(dir, 'tv.pth')}: efficientnet-b0, 360 tensors, torchvision key names\n`);

  await assert.rejects(net.save(join(dir, 'api.pth'), { family: 'torchvision' }), (e: Error) => e instanceof ConfigError && /force: true/.test(e.message));
  await net.save(join(dir, 'api.pth'), { family: 'torchvision', force: true });
  // Weights built the torchvision way (symmetric, ε 1e-5) go through without force; b5 keeps ε 1e-3 there.
  await EfficientNet.fromName('efficientnet-b0', { padding: 'symmetric', batchNormEpsilon: 1e-5 }).save(join(dir, 'tv0.pth'), { family: 'torchvision' });
  const b5 = EfficientNet.fromName('efficientnet-b5', { padding: 'symmetric', batchNormEpsilon: 1e-5 });
  await assert.rejects(b5.save(join(dir, 'tv5.pth'), { family: 'torchvision' }), /its network changes batch-norm epsilon 0\.00001 → 0\.001\./);
}));

test('forward and gradients say in one line what they wrote (and the loss)', () => withDir(async (dir) => {
  await EfficientNet.fromName('efficientnet-b0', { numClasses: 2, imageSize: 64 }).save(join(dir, 'm.safetensors'));
  await writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: [2, 3, 64, 64], data: new Float32Array(2 * 3 * 64 * 64).fill(0.5) });
  await writeNpy(join(dir, 'y.npy'), { dtype: 'float32', shape: [2], data: Float32Array.of(0, 1) });
  const forward = await cli('forward', '--weights', join(dir, 'm.safetensors'), '--input', join(dir, 'x.npy'), '--output', join(dir, 'y_.npy'));
  assert.equal(forward.code, 0, forward.stderr);
  assert.equal(forward.stderr, `wrote logits [2, 2] to ${join(dir, 'y_.npy')}\n`);
  const endpoints = await cli('forward', '--weights', join(dir, 'm.safetensors'), '--input', join(dir, 'x.npy'), '--endpoints', join(dir, 'ep'));
  assert.match(endpoints.stderr, /^wrote 6 endpoints in .*ep \(reduction_1 \[2, 16, 32, 32\], .* reduction_6 \[2, 1280, 2, 2\]\)\n$/);
  const gradients = await cli('gradients', '--weights', join(dir, 'm.safetensors'), '--input', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'), '--freeze', 'head', '--output', join(dir, 'g.safetensors'));
  assert.equal(gradients.code, 0, gradients.stderr);
  // A fresh head starts at zero-mean weights; two classes: the loss is close to ln 2.
  assert.match(gradients.stderr, /^wrote .*g\.safetensors: loss 0\.69\d+ and 2 gradients \(efficientnet-b0, freeze head, bn train\)\n$/);
}));

test('finetune\'s closing line names every file it wrote', () => withDir(async (dir) => {
  for (const [cls, files] of [['a', ['coffee.jpg', 'rocket.jpg']], ['b', ['chelsea.jpg', 'astronaut.jpg']]] as const) {
    await mkdir(join(dir, 'train', cls), { recursive: true });
    for (const f of files) await copyFile(join(IMAGES, f), join(dir, 'train', cls, f));
  }
  const out = join(dir, 'm.safetensors');
  const result = await cli('finetune', join(dir, 'train'), '--model', 'efficientnet-b0', '--image-size', '32', '--epochs', '1', '--batch-size', '4', '--out', out, '--threads', '1');
  assert.equal(result.code, 0, result.stderr);
  const closing = result.stdout.trim().split('\n').at(-1)!;
  const written = (await readdir(dir)).filter((f) => f.startsWith('m.')).sort();
  assert.deepEqual(written, ['m.curves.png', 'm.curves.svg', 'm.last.safetensors', 'm.safetensors', 'm.state.safetensors']);
  for (const file of written) assert.ok(closing.includes(join(dir, file)), `${file} missing from: ${closing}`);
}));

test('images: the file named once, a real reason, counts in plain words', () => withDir(async (dir) => {
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 2, imageSize: 64 });
  const jpeg = await readFile(join(IMAGES, 'coffee.jpg'));
  await writeFile(join(dir, 'cut.jpg'), jpeg.subarray(0, 1500));
  await assert.rejects(net.classify(join(dir, 'nope.jpg')), (e: Error) => {
    assert.ok(e instanceof ImageDecodeError);
    assert.equal(e.message, `Cannot decode image '${join(dir, 'nope.jpg')}': no such file or folder`);
    return true;
  });
  await assert.rejects(net.embed([join(dir, 'nope.jpg'), join(IMAGES, 'coffee.jpg'), join(dir, 'cut.jpg')]), (e: Error) => {
    assert.equal(e.message, `Cannot decode 2 images: '${join(dir, 'nope.jpg')}' (no such file or folder); '${join(dir, 'cut.jpg')}' (the JPEG data ends early: the file is truncated (no end-of-image marker))`);
    return true;
  });
  // Truncated inside the header and inside the scan data: both say truncated, never "unknown error".
  for (const length of [300, 1500]) {
    await assert.rejects(net.classify(jpeg.subarray(0, length)), /the JPEG data ends early: the file is truncated/);
  }
  await net.save(join(dir, 'm.safetensors'));
  const one = await cli('classify', join(dir, 'nope.jpg'), join(IMAGES, 'coffee.jpg'), '--weights', join(dir, 'm.safetensors'));
  assert.equal(one.code, 1);
  assert.equal(one.stderr, `efficientnet: skipped ${join(dir, 'nope.jpg')}: not found\nefficientnet: 1 of 2 inputs could not be read (see above); 1 was processed\n`);
  const none = await cli('classify', join(dir, 'cut.jpg'), '--weights', join(dir, 'm.safetensors'));
  assert.equal(none.stderr, `efficientnet: skipped ${join(dir, 'cut.jpg')}: the JPEG data ends early: the file is truncated (no end-of-image marker)\nefficientnet: 1 of 1 input could not be read (see above); none was processed\n`);
}));

test('eval of a 1000-class model on a 2-class folder says "matched by position" once', () => withDir(async (dir) => {
  for (const [cls, file] of [['a', 'coffee.jpg'], ['b', 'chelsea.jpg']]) {
    await mkdir(join(dir, 'data', cls), { recursive: true });
    await copyFile(join(IMAGES, file), join(dir, 'data', cls, file));
  }
  await EfficientNet.fromName('efficientnet-b0', { imageSize: 64 }).save(join(dir, 'm.safetensors'));
  for (const json of [false, true]) {
    const result = await cli('eval', join(dir, 'data'), '--weights', join(dir, 'm.safetensors'), ...(json ? ['--json'] : []));
    assert.equal(result.code, 0, result.stderr);
    const said = `${result.stdout}\n${result.stderr}`.match(/carries no class names/gi) ?? [];
    assert.equal(said.length, 1, `${json ? 'JSON' : 'text'}: ${result.stdout}${result.stderr}`);
  }
}));

test('an exported ONNX file carries class names and preprocessing in its metadata', () => withDir(async (dir) => {
  const labels = ['cat', 'dog', 'fox'];
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 3, labels, imageSize: 96 });
  await net.save(join(dir, 'm.safetensors'));
  const result = await cli('export', '--weights', join(dir, 'm.safetensors'), '--onnx', join(dir, 'm.onnx'));
  assert.equal(result.code, 0, result.stderr);
  const read = async (file: string) => {
    const model = ModelProto.toObject(ModelProto.decode(await readFile(file))) as { metadataProps: { key: string; value: string }[] };
    return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
  };
  const props = await read(join(dir, 'm.onnx'));
  const p = net.preprocess;
  assert.deepEqual(props, {
    model: 'efficientnet-b0', padding: 'same', labels: JSON.stringify(labels),
    resize: String(p.resize), crop: '[96,96]', interpolation: 'bicubic', mean: JSON.stringify(p.mean), std: JSON.stringify(p.std),
  });
  // Without names of its own, a 1000-class model exports ImageNet's; the in-memory graph carries what it was given.
  const imagenet = EfficientNet.fromName('efficientnet-b0', { imageSize: 64 });
  await imagenet.exportOnnx(join(dir, 'i.onnx'));
  assert.deepEqual(JSON.parse((await read(join(dir, 'i.onnx'))).labels), await imagenetClasses());
  const headless = EfficientNet.fromName('efficientnet-b0', { imageSize: 64, includeTop: false });
  await writeFile(join(dir, 'h.onnx'), headless.toOnnx());
  assert.equal((await read(join(dir, 'h.onnx'))).labels, undefined, 'no classifier, no class names');
}));
