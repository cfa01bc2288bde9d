/**
 * `efficientnet gradients` end to end: a synthetic checkpoint and batch on disk, the command's
 * safetensors output against the PyTorch fixture, under the checkpoint's own key names
 * (reference and torchvision).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { main } from '../../src/cli/main.js';
import { writeNpy } from '../../src/io/npy.js';
import { readSafetensors, writeSafetensors } from '../../src/weights/formats/safetensors.js';
import { keyRenamer, renameStateDict } from '../../src/weights/keymaps.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { floatTensor, int64Tensor } from '../../src/weights/tensor.js';
import { FIXTURES, syntheticStateDict } from '../support/fixtures.js';
import { gradientFloors, packedSamples } from './support.js';

test('gradients command writes loss and gradients matching PyTorch, under the checkpoint key names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-gradients-'));
  try {
    const { tensors: expected, metadata } = await readSafetensors(join(FIXTURES, 'train', 'gradients-b0-stages2-train.safetensors'));
    const size = Number(metadata.size);
    const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size }));
    const weights = syntheticStateDict(net, 'lukemelas', Number(metadata.gain));
    const labels = JSON.parse(metadata.labels) as number[];
    await writeNpy(join(dir, 'x.npy'), floatTensor([labels.length, 3, size, size], syntheticImages([labels.length, 3, size, size])));
    await writeNpy(join(dir, 'y.npy'), int64Tensor([labels.length], BigInt64Array.from(labels.map(BigInt))));
    await writeSafetensors(join(dir, 'ref.safetensors'), weights);
    await writeSafetensors(join(dir, 'tv.safetensors'), renameStateDict(weights, net, 'lukemelas', 'torchvision'));
    const args = (weightsFile: string, out: string) => ['gradients', '--weights', join(dir, weightsFile), '--input', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'),
      '--freeze', 'stages:2', '--bn', 'train', '--label-smoothing', metadata.smoothing, '--padding', 'same', '--threads', '2', '--output', join(dir, out)];
    assert.equal(await main(args('ref.safetensors', 'ref-grads.safetensors')), 0);
    assert.equal(await main(args('tv.safetensors', 'tv-grads.safetensors')), 0);

    const ours = (await readSafetensors(join(dir, 'ref-grads.safetensors'))).tensors;
    const gradKeys = JSON.parse(metadata.grad_keys) as string[];
    assert.deepEqual([...ours.keys()], ['loss', ...gradKeys]);
    const loss = (expected.get('loss')!.data as Float32Array)[0];
    assert.ok(Math.abs((ours.get('loss')!.data as Float32Array)[0] - loss) < 1e-5 * loss);
    const maxabs = expected.get('grad.maxabs')!.data as Float32Array;
    const errors = packedSamples(gradKeys.map((k) => ours.get(k)!.data as Float32Array), expected.get('grad.samples')!.data as Float32Array, maxabs, gradientFloors(gradKeys, maxabs, metadata.bn));
    assert.ok(Math.max(...errors) < 1e-3, `worst relative error ${Math.max(...errors).toExponential(2)}`);

    const tv = (await readSafetensors(join(dir, 'tv-grads.safetensors'))).tensors;
    const toTorchvision = keyRenamer(net, 'lukemelas', 'torchvision');
    assert.deepEqual([...tv.keys()], ['loss', ...gradKeys.map(toTorchvision)]);
    // (torchvision's b0 uses batch-norm eps 1e-5, so the values differ slightly: shapes only.)
    for (const k of gradKeys) assert.deepEqual(tv.get(toTorchvision(k))!.shape, ours.get(k)!.shape, k);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gradients command rejects a bad freeze with one line and exit code 1', async () => {
  const code = await main(['gradients', '--weights', 'none.safetensors', '--input', 'x.npy', '--labels', 'y.npy', '--output', 'g.safetensors', '--freeze', 'stages:x']);
  assert.equal(code, 1);
});
