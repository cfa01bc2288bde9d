import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { stateDictSpec } from '../../src/arch/parameters.js';
import { KEY_FAMILIES, detectKeyFamily, moduleNameMap, renameStateDict } from '../../src/weights/keymaps.js';
import { syntheticStateDict } from '../support/fixtures.js';
import { WeightLoadError } from '../../src/errors.js';

const b0 = buildNetwork(resolveConfig('efficientnet-b0'));

test('torchvision names follow features.{stage+1}.{index}.block.{layer}', () => {
  const map = moduleNameMap(b0, 'torchvision');
  assert.equal(map.get('_conv_stem'), 'features.0.0');
  assert.equal(map.get('_bn0'), 'features.0.1');
  assert.equal(map.get('_blocks.0._depthwise_conv'), 'features.1.0.block.0.0'); // no expansion in stage 1
  assert.equal(map.get('_blocks.0._se_reduce'), 'features.1.0.block.1.fc1');
  assert.equal(map.get('_blocks.0._bn2'), 'features.1.0.block.2.1');
  assert.equal(map.get('_blocks.2._expand_conv'), 'features.2.1.block.0.0');
  assert.equal(map.get('_blocks.2._se_expand'), 'features.2.1.block.2.fc2');
  assert.equal(map.get('_blocks.15._project_conv'), 'features.7.0.block.3.0');
  assert.equal(map.get('_conv_head'), 'features.8.0');
  assert.equal(map.get('_bn1'), 'features.8.1');
  assert.equal(map.get('_fc'), 'classifier.1');
});

test('timm names follow blocks.{stage}.{index} with conv_pw/conv_dw/conv_pwl', () => {
  const map = moduleNameMap(b0, 'timm');
  assert.equal(map.get('_bn0'), 'bn1');
  assert.equal(map.get('_blocks.0._depthwise_conv'), 'blocks.0.0.conv_dw');
  assert.equal(map.get('_blocks.0._project_conv'), 'blocks.0.0.conv_pw');
  assert.equal(map.get('_blocks.0._bn2'), 'blocks.0.0.bn2');
  assert.equal(map.get('_blocks.1._expand_conv'), 'blocks.1.0.conv_pw');
  assert.equal(map.get('_blocks.1._bn1'), 'blocks.1.0.bn2');
  assert.equal(map.get('_blocks.1._se_reduce'), 'blocks.1.0.se.conv_reduce');
  assert.equal(map.get('_blocks.1._project_conv'), 'blocks.1.0.conv_pwl');
  assert.equal(map.get('_blocks.1._bn2'), 'blocks.1.0.bn3');
  assert.equal(map.get('_bn1'), 'bn2');
  assert.equal(map.get('_fc'), 'classifier');
});

test('renaming between every pair of families is lossless and one-to-one', () => {
  const ours = syntheticStateDict(b0, 'lukemelas', 3);
  for (const a of KEY_FAMILIES) {
    const inA = renameStateDict(ours, b0, 'lukemelas', a);
    assert.equal(new Set(inA.keys()).size, ours.size, `${a} keys are distinct`);
    assert.equal(detectKeyFamily(inA.keys()), a);
    for (const b of KEY_FAMILIES) {
      const back = renameStateDict(renameStateDict(inA, b0, a, b), b0, b, 'lukemelas');
      assert.deepEqual([...back.keys()], [...ours.keys()], `${a} → ${b} → ours`);
      for (const [key, tensor] of back) assert.equal(tensor, ours.get(key));
    }
  }
});

test('every variant maps every key', () => {
  for (const name of ['efficientnet-b3', 'efficientnet-b7', 'efficientnet-l2']) {
    const net = buildNetwork(resolveConfig(name));
    const modules = new Set(stateDictSpec(net).map((s) => s.module));
    for (const family of KEY_FAMILIES) {
      const map = moduleNameMap(net, family);
      assert.deepEqual([...map.keys()].sort(), [...modules].sort(), `${name} ${family}: every module named`);
      assert.equal(new Set(map.values()).size, modules.size, `${name} ${family}: no two modules share a name`);
    }
  }
});

test('unknown key families are a clear error', () => {
  assert.throws(() => detectKeyFamily(['encoder.weight', 'decoder.bias']), (e: Error) =>
    e instanceof WeightLoadError && /'encoder.weight', 'decoder.bias'/.test(e.message) && /features.0.0.weight/.test(e.message));
});
