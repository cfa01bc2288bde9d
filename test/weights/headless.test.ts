/** Checkpoints without a classifier: features only, never confident garbage from `classify`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EfficientNet } from '../../src/index.js';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { ConfigError, WeightLoadError } from '../../src/errors.js';
import { writeCheckpoint } from '../../src/weights/checkpoint.js';
import { FIXTURES, syntheticStateDict } from '../support/fixtures.js';
import { withDir } from '../support/tempdir.js';
import { cli } from '../support/cli.js';

const b0 = buildNetwork(resolveConfig('efficientnet-b0'));
const torchvision = () => syntheticStateDict(b0, 'torchvision', 5);
const image = join(FIXTURES, 'images', 'chelsea.jpg');

test('a headless checkpoint cannot classify: the error points to features', () => withDir(async (dir) => {
  const tensors = torchvision();
  tensors.delete('classifier.1.weight');
  tensors.delete('classifier.1.bias');
  const path = join(dir, 'headless.pth');
  await writeCheckpoint(path, tensors, 'pth');
  const net = await EfficientNet.fromWeights(path);
  try {
    await assert.rejects(net.classify(image), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /no classifier \(its checkpoint has no 'classifier\.1\.weight'\): it gives 1280 pooled features per image; use `features`/);
      return true;
    });
    // Features still work: that is what the checkpoint is for.
    assert.deepEqual((await net.embed(image)).dims, [1, 1280]);
  } finally {
    await net.dispose();
  }
  for (const extra of [[], ['--labels', join(dir, 'labels.txt')]]) {
    const { code, stdout, stderr } = await cli('classify', image, '--weights', path, ...extra);
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^efficientnet: Cannot classify with a model that has no classifier .*use `features`.*\n$/);
  }
}));

test('a checkpoint missing only classifier.1.weight (bias present) is a load error, not a headless model', () => withDir(async (dir) => {
  for (const [drop, kept] of [['classifier.1.weight', 'classifier.1.bias'], ['classifier.1.bias', 'classifier.1.weight']]) {
    const tensors = torchvision();
    tensors.delete(drop);
    const path = join(dir, 'half.safetensors');
    await writeCheckpoint(path, tensors, 'safetensors');
    for (const options of [{}, { model: 'efficientnet-b0' }]) {
      await assert.rejects(EfficientNet.fromWeights(path, options), (error: unknown) => {
        assert.ok(error instanceof WeightLoadError, String(error));
        assert.equal(error.message, `The torchvision checkpoint has '${kept}' but not '${drop}': a classifier needs both, a headless checkpoint neither`);
        return true;
      });
    }
  }
}));
