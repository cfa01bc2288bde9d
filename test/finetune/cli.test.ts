/**
 * What `finetune` saves is a complete model: classify, features and export take it as it is,
 * and it is a starting point for head-only fine-tuning on other classes (features cached).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { EfficientNet } from '../../src/index.js';
import { folderOf } from './support.js';

test('a saved model classifies, embeds, exports, and starts a head-only run on new classes', async () => {
  const root = await folderOf(['bag', 'shoe'], 4);
  const other = await folderOf(['coat', 'dress', 'shirt'], 4);
  try {
    const base = join(root, 'base.safetensors');
    const scratch = await cli('finetune', root, '--model', 'efficientnet-b0', '--in-channels', '1', '--image-size', '32', '--epochs', '1', '--batch-size', '4', '--out', base);
    assert.equal(scratch.code, 0, scratch.stderr);
    // From scratch at 32 px: PyTorch's momentum and no random resized crop, said in the first line.
    assert.equal(scratch.stdout.split('\n')[0], 'from scratch at 32×32: batch-norm momentum 0.1, no augmentation, cosine schedule');
    for (const file of ['base.safetensors', 'base.last.safetensors', 'base.state.safetensors', 'base.curves.svg', 'base.curves.png']) assert.ok(existsSync(join(root, file)), file);
    assert.match(await readFile(join(root, 'base.curves.svg'), 'utf8'), /^<svg[^]*(polyline|circle)/); // one epoch draws a point

    const features = await cli('features', join(root, 'bag'), '--weights', base, '--output', join(root, 'f.jsonl'));
    assert.equal(features.code, 0, features.stderr);
    assert.equal((await readFile(join(root, 'f.jsonl'), 'utf8')).trim().split('\n').length, 4);
    const exported = await cli('export', '--weights', base, '--onnx', join(root, 'm.onnx'));
    assert.equal(exported.code, 0, exported.stderr);

    const head = join(other, 'head.safetensors');
    const r = await cli('finetune', other, '--weights', base, '--freeze', 'head', '--no-augment', '--epochs', '2', '--lr', '0.01', '--batch-size', '4', '--val-split', '0.25', '--out', head);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'fine-tuning at 32×32: batch-norm momentum 0.1, no augmentation, cosine schedule', 'the checkpoint keeps its own momentum');
    const tuned = await EfficientNet.fromWeights(head);
    const start = await EfficientNet.fromWeights(base);
    assert.deepEqual(tuned.labels, ['coat', 'dress', 'shirt']);
    assert.deepEqual(tuned.preprocess, start.preprocess);
    assert.deepEqual(tuned.weights.get('_conv_head.weight')!.data, start.weights.get('_conv_head.weight')!.data, 'the backbone stays frozen');
    const classified = await cli('classify', join(other, 'coat'), '--weights', head, '--top-k', '1', '--json');
    assert.match(classified.stdout, /"label":"(coat|dress|shirt)"/);
    await Promise.all([tuned.dispose(), start.dispose()]);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  }
});
