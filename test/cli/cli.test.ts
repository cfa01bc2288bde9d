/** The command line as a user meets it: help, errors without stack traces, and `forward` against the oracle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { readSafetensors, writeSafetensors } from '../../src/weights/formats/safetensors.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { FIXTURES, relativeError, syntheticStateDict } from '../support/fixtures.js';
import { cli } from '../support/cli.js';


test('every command has --help', async () => {
  for (const command of ['summary', 'scale', 'forward', 'classify', 'features', 'convert', 'export']) {
    const { code, stdout } = await cli(command, '--help');
    assert.equal(code, 0, command);
    assert.match(stdout, new RegExp(`Usage: efficientnet ${command}`));
  }
  assert.match((await cli('--help')).stdout, /summary.*\n[\s\S]*forward/);
});

test('summary prints the module tree, the table and the reference totals', async () => {
  const { code, stdout } = await cli('summary', 'efficientnet-b0');
  assert.equal(code, 0);
  assert.match(stdout, /^EfficientNet\(\n {2}\(_conv_stem\): Conv2dStaticSamePadding\(/);
  assert.match(stdout, /\(_fc\): Linear\(in_features=1280, out_features=1000, bias=True\)/);
  assert.match(stdout, /Total parameters: 5,288,548/);
  assert.match(stdout, /\(0\.386 G\)/);
  const b3 = await cli('summary', 'b3', '--no-tree', '--num-classes', '10', '--image-size', '320x256');
  assert.match(b3.stdout, /efficientnet-b3 at 320×256/);
});

test('scale prints the stage table and the published variants beside the pure rule', async () => {
  const { code, stdout } = await cli('scale', '--phi', '2');
  assert.equal(code, 0);
  assert.match(stdout, /depth ×1\.440, width ×1\.210, resolution ×1\.322 → 296 px/);
  assert.match(stdout, /efficientnet-b7 {2}7 {4}2\.00 \/ 1\.949/);
  assert.match((await cli('scale', 'efficientnet-b4')).stdout, /width ×1\.4, depth ×1\.8, resolution 380 px/);
});

test('user mistakes are one line, name the value, and exit non-zero', async () => {
  const cases: [string[], number, RegExp][] = [
    [['summary', 'efficientnet-b9'], 1, /Unknown model 'efficientnet-b9'. Should be one of: 'efficientnet-b0'/],
    [['summary', 'b0', '--padding', 'valid'], 2, /argument 'valid' is invalid. Allowed choices are same, symmetric/],
    [['summary', 'b0', '--bogus'], 2, /unknown option '--bogus'/],
    [['summary', 'b0', '--image-size', '0'], 2, /'0' is not an image size/],
    [['scale', '--phi', 'abc'], 2, /'abc' is not a number/],
    [['scale'], 2, /give either a model name or --phi/],
    [['forward', '--weights', 'missing.safetensors', '--input', 'missing.npy', '--output', 'y.npy'], 1, /cannot open 'missing.npy': no such file or folder \(ENOENT\)/],
  ];
  for (const [args, code, pattern] of cases) {
    const result = await cli(...args);
    assert.equal(result.code, code, args.join(' '));
    assert.match(result.stderr, pattern, args.join(' '));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('forward reproduces the PyTorch logits, features and endpoints through .npy files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enet-cli-'));
  try {
    const { tensors: expected, metadata } = await readSafetensors(join(FIXTURES, 'forward', 'torchvision-b0-224x224.safetensors'));
    const net = buildNetwork(resolveConfig('efficientnet-b0'));
    await writeSafetensors(join(dir, 'w.safetensors'), syntheticStateDict(net, 'torchvision', Number(metadata.gain)));
    await writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: [2, 3, 224, 224], data: syntheticImages([2, 3, 224, 224]) });
    const common = ['--weights', join(dir, 'w.safetensors'), '--input', join(dir, 'x.npy'), '--threads', '2'];
    const result = await cli('forward', ...common, '--output', join(dir, 'y.npy'));
    assert.equal(result.code, 0, result.stderr);
    const y = await readNpy(join(dir, 'y.npy'));
    assert.deepEqual(y.shape, [2, 1000]);
    assert.ok(relativeError(y.data as Float32Array, expected.get('logits')!.data as Float32Array) < 1e-4);
    assert.equal((await cli('forward', ...common, '--output', join(dir, 'f.npy'), '--features')).code, 0);
    assert.deepEqual((await readNpy(join(dir, 'f.npy'))).shape, [2, 1280, 7, 7]);
    assert.equal((await cli('forward', ...common, '--endpoints', join(dir, 'ep'))).code, 0);
    assert.deepEqual((await readdir(join(dir, 'ep'))).sort(), [1, 2, 3, 4, 5, 6].map((i) => `reduction_${i}.npy`));
    const wrong = await cli('forward', ...common.slice(0, 2), '--input', join(dir, 'y.npy'), '--output', join(dir, 'z.npy'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /y\.npy holds float32 \[2, 1000\]; expected float \[N, C, H, W\]/);
  } finally {
    await rm(dir, { recursive: true });
  }
});
