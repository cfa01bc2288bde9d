import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyDefaults } from '../../src/model/checkpointConfig.js';
import { PRESET_NAMES, preset } from '../../src/data/presets.js';
import { ConfigError } from '../../src/errors.js';
import { WEIGHT_FAMILIES, familyNetworkSettings, familyOf, familyTransform, weightFamily } from '../../src/weights/families.js';
import { PRETRAINED, getPretrained } from '../../src/weights/pretrained/registry.js';

test("every registry entry's key names, padding, epsilon and transform come from its family row", () => {
  for (const entry of PRETRAINED.values()) {
    const row = weightFamily(entry.family);
    const settings = familyNetworkSettings(entry.family, entry.arch);
    assert.equal(entry.keyFamily, row.keyFamily, entry.tag);
    assert.equal(entry.padding, row.padding, entry.tag);
    assert.equal(entry.batchNormEpsilon, settings.batchNormEpsilon, entry.tag);
    assert.equal(entry.batchNormMomentum, settings.batchNormMomentum, entry.tag);
    const release = Object.keys(row.transforms).find((r) => JSON.stringify(familyTransform(entry.family, entry.arch, r)) === JSON.stringify(entry.preprocess));
    assert.ok(release, `${entry.tag}: its transform is one of ${entry.family}'s releases`);
    // Loading the file by its key names and model name finds the same family settings.
    const byKeys = familyDefaults(entry.keyFamily, entry.source === 'timm' ? entry.tag.split(':')[1] : entry.arch);
    assert.deepEqual([byKeys.padding, byKeys.batchNormEpsilon, byKeys.batchNormMomentum], [entry.padding, entry.batchNormEpsilon, entry.batchNormMomentum], entry.tag);
  }
});

test('every family row is reachable: from checkpoint key names, from the registry or from a preset', () => {
  const reached = new Set([...PRETRAINED.values()].map((e) => e.family));
  for (const keys of ['lukemelas', 'torchvision', 'timm'] as const) for (const name of [undefined, 'tf_efficientnet_b0']) reached.add(familyOf(keys, name));
  assert.deepEqual([...reached].sort(), [...WEIGHT_FAMILIES].sort());
  for (const name of PRESET_NAMES) assert.doesNotThrow(() => preset(name, name === 'torchvision-v2' ? 'b1' : 'b0'), name);
  assert.throws(() => weightFamily('keras' as never), (e: Error) => e instanceof ConfigError && /Unknown weight family 'keras'/.test(e.message));
  assert.throws(() => familyTransform('timm-tf', 'b0', 'v9'), /no release 'v9'. Should be one of: 'default' or 'ap'/);
});

test("torchvision's b5–b7 batch-norm rule is per variant, in its row", () => {
  const eps = ['b4', 'b5', 'b6', 'b7'].map((v) => familyNetworkSettings('torchvision', `efficientnet_${v}`));
  assert.deepEqual(eps.map((s) => [s.batchNormEpsilon, s.batchNormMomentum]), [[1e-5, 0.1], [1e-3, 0.01], [1e-3, 0.01], [1e-3, 0.01]]);
  assert.deepEqual(familyNetworkSettings('torchvision', undefined), { padding: 'symmetric', batchNormEpsilon: 1e-5, batchNormMomentum: 0.1 });
});

test("parameter counts are torchvision's num_params; top-1 as each source publishes it", () => {
  // torchvision 0.14 EfficientNet_B*_Weights meta: num_params, acc@1.
  const published: [string, number, number][] = [
    ['efficientnet_b0.IMAGENET1K_V1', 5288548, 77.692], ['efficientnet_b1.IMAGENET1K_V1', 7794184, 78.642],
    ['efficientnet_b1.IMAGENET1K_V2', 7794184, 79.838], ['efficientnet_b2.IMAGENET1K_V1', 9109994, 80.608],
    ['efficientnet_b3.IMAGENET1K_V1', 12233232, 82.008], ['efficientnet_b4.IMAGENET1K_V1', 19341616, 83.384],
    ['efficientnet_b5.IMAGENET1K_V1', 30389784, 83.444], ['efficientnet_b6.IMAGENET1K_V1', 43040704, 84.008],
    ['efficientnet_b7.IMAGENET1K_V1', 66347960, 84.122],
  ];
  for (const [name, parameters, top1] of published) {
    const entry = getPretrained(`torchvision:${name}`);
    assert.deepEqual([entry.parameters, entry.top1], [parameters, top1], name);
  }
  // lukemelas README: "# Params" rounded (5.3M … 66M) and top-1.
  const readme: [string, number, number][] = [['b0', 5.3, 76.3], ['b1', 7.8, 78.8], ['b2', 9.2, 79.8], ['b3', 12, 81.1], ['b4', 19, 82.6], ['b5', 30, 83.3], ['b6', 43, 84.0], ['b7', 66, 84.4]];
  for (const [variant, millions, top1] of readme) {
    const entry = getPretrained(`lukemelas:${variant}`);
    assert.ok(Math.abs(entry.parameters / 1e6 - millions) <= (millions < 10 ? 0.1 : 0.5), `${variant}: ${entry.parameters}`);
    assert.equal(entry.top1, top1, variant);
  }
  assert.equal(getPretrained('advprop:b8').top1, undefined, 'nothing invented where nothing is published');
  assert.equal(getPretrained('timm:tf_efficientnet_l2.ns_jft_in1k').parameters, 480309308);
});
