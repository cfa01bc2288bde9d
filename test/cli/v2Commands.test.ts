/**
 * EfficientNetV2 through every command (issue 13: everything V1 can do, V2 can do): timm's
 * tf_efficientnetv2_b0 layout (Fused-MBConv stages, then MBConv with SE) with seeded weights at
 * 32 px on Fashion-MNIST images goes through classify, features, export, convert, gradients,
 * eval and finetune with the head, the last stages and everything trained. torchvision key names
 * for the V2 variants torchvision does not build are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ConfigError, EfficientNet } from '../../src/index.js';
import { resolveConfig } from '../../src/arch/config.js';
import { checkFamilyFits } from '../../src/model/familyMismatch.js';
import { writeNpy } from '../../src/io/npy.js';
import { readCheckpoint } from '../../src/weights/checkpoint.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { floatTensor, int64Tensor } from '../../src/weights/tensor.js';
import { folderOf } from '../finetune/support.js';
import { cli } from '../support/cli.js';

test('a V2 model (tf_efficientnetv2_b0 layout, 32 px) through classify, features, export, convert, gradients, eval and finetune', async () => {
  const root = await folderOf(['bag', 'shoe'], 3); // images only: the commands below read whole folders
  const work = await mkdtemp(join(tmpdir(), 'efficientnet-v2-'));
  try {
    const net = EfficientNet.fromName('efficientnet-v2-b0', { numClasses: 2, imageSize: 32, labels: ['bag', 'shoe'], seed: 1, runtime: { intraOpThreads: 2 } });
    const weights = join(work, 'v2.safetensors');
    await net.save(weights);
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      return r;
    };

    const classified = JSON.parse((await ok('classify', join(root, 'bag'), '--weights', weights, '--top-k', '2', '--json')).stdout.trim().split('\n')[0]) as { predictions: { label: string }[] };
    assert.deepEqual(classified.predictions.map((t) => t.label).sort(), ['bag', 'shoe']);

    await ok('features', root, '--weights', weights, '--output', join(work, 'f.jsonl'));
    const rows = (await readFile(join(work, 'f.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { features: number[] });
    assert.deepEqual([rows.length, rows[0].features.length], [6, net.network.fc!.inFeatures]); // 1280 pooled features per image

    // The exported graph alone (a bare onnxruntime session) gives the model's logits.
    await ok('export', '--weights', weights, '--onnx', join(work, 'v2.onnx'));
    const input = syntheticImages([1, 3, 32, 32]);
    const session = await ort.InferenceSession.create(join(work, 'v2.onnx'));
    const exported = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, 32, 32]) }))[session.outputNames[0]].data as Float32Array;
    const ours = (await net.forward({ data: input, dims: [1, 3, 32, 32] })).data;
    const scale = Math.max(...ours.map(Math.abs));
    assert.ok(ours.every((v, i) => Math.abs(v - exported[i]) <= 1e-4 * scale), `${[...exported]} vs ${[...ours]}`);
    await session.release();

    // convert to timm names and back: the same tensors.
    await ok('convert', weights, join(work, 'timm.pth'), '--to', 'timm');
    assert.ok((await readCheckpoint(join(work, 'timm.pth'))).tensors.has('blocks.0.0.conv.weight'));
    await ok('convert', join(work, 'timm.pth'), join(work, 'back.safetensors'), '--to', 'lukemelas', '--model', 'tf_efficientnetv2_b0');
    const back = (await readCheckpoint(join(work, 'back.safetensors'))).tensors;
    for (const [key, t] of net.weights) assert.deepEqual(back.get(key)?.data, t.data, key);

    // gradients: the loss and a gradient for every trainable tensor of the last 2 stages and head.
    await writeNpy(join(work, 'x.npy'), floatTensor([2, 3, 32, 32], syntheticImages([2, 3, 32, 32])));
    await writeNpy(join(work, 'y.npy'), int64Tensor([2], BigInt64Array.from([0n, 1n])));
    await ok('gradients', '--weights', weights, '--input', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--freeze', 'stages:2', '--output', join(work, 'g.safetensors'));
    const grads = (await readSafetensors(join(work, 'g.safetensors'))).tensors;
    const loss = (grads.get('loss')!.data as Float32Array)[0];
    assert.ok(loss > 0 && Number.isFinite(loss), `loss ${loss}`);
    assert.ok(grads.has('_fc.weight') && grads.has('_conv_head.weight') && !grads.has('_conv_stem.weight'), [...grads.keys()].slice(0, 5).join(', '));
    assert.ok([...grads.values()].every((g) => (g.data as Float32Array).every(Number.isFinite)));

    const evaluated = JSON.parse((await ok('eval', root, '--weights', weights, '--json')).stdout) as { images: number; top1: number };
    assert.equal(evaluated.images, 6);

    // finetune: head only, the last two stages, everything; each run's model loads as V2 and changed.
    for (const freeze of ['head', 'stages:2', 'none']) {
      const out = join(work, `ft-${freeze.replace(':', '')}.safetensors`);
      await ok('finetune', root, '--weights', weights, '--freeze', freeze, '--epochs', '1', '--batch-size', '3', '--lr', '0.01', '--out', out);
      const tuned = await EfficientNet.fromWeights(out);
      assert.equal(tuned.config.name, 'efficientnet-v2-b0');
      const changed = (key: string) => !tuned.weights.get(key)!.data.every((v, i) => v === net.weights.get(key)!.data[i]);
      assert.deepEqual([changed('_fc.weight'), changed('_conv_head.weight'), changed('_conv_stem.weight')],
        freeze === 'head' ? [true, false, false] : freeze === 'stages:2' ? [true, true, false] : [true, true, true], freeze);
      await tuned.dispose();
    }
    await net.dispose();
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
});

test('torchvision key names for V2 variants torchvision lacks (B0–B3, XL) are refused, even forced; S, M and L pass', async () => {
  const work = await mkdtemp(join(tmpdir(), 'efficientnet-v2-tv-'));
  try {
    // The check itself on configurations (no weights: XL has 208 million parameters).
    const check = (name: string, options = {}) => checkFamilyFits(resolveConfig(name, options), 'torchvision', { force: true, flag: '--force' });
    for (const name of ['efficientnet-v2-b0', 'efficientnet-v2-b1', 'efficientnet-v2-b2', 'efficientnet-v2-b3', 'efficientnet-v2-xl']) {
      assert.throws(() => check(name), (e: Error) => e instanceof ConfigError
        && e.message.startsWith(`torchvision has no ${name} (its EfficientNetV2 models are efficientnet-v2-s, efficientnet-v2-m, efficientnet-v2-l)`), name);
    }
    for (const name of ['efficientnet-v2-s', 'efficientnet-v2-m', 'efficientnet-v2-l', 'efficientnet-b0']) assert.doesNotThrow(() => check(name, { padding: 'symmetric' }), name);

    // The command line: one line naming the variant, exit 1, no file.
    const b0 = EfficientNet.fromName('efficientnet-v2-b0', { numClasses: 2, imageSize: 32 });
    await b0.save(join(work, 'b0.safetensors'));
    const r = await cli('convert', join(work, 'b0.safetensors'), join(work, 'b0-tv.pth'), '--to', 'torchvision', '--force');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^efficientnet: torchvision has no efficientnet-v2-b0 \(its EfficientNetV2 models are [^\n]*\. Write timm's names \(tf_efficientnetv2_\*\) or the reference's \(lukemelas\) instead\n$/);
    assert.ok(!existsSync(join(work, 'b0-tv.pth')));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
