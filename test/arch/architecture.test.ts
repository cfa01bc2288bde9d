import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, scaledVariant } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { countParameters } from '../../src/arch/parameters.js';
import { roundFilters, roundRepeats, compoundScale } from '../../src/arch/scaling.js';
import { samePadding, axisPadding } from '../../src/arch/padding.js';
import { parseBlockString, formatBlockString } from '../../src/arch/blockString.js';
import { B0_STAGES } from '../../src/arch/stages.js';
import { getVariant, VARIANT_NAMES } from '../../src/arch/variants.js';
import { ConfigError } from '../../src/errors.js';

// Published counts of the reference implementation (1000 classes).
const PARAMETERS: Record<string, number> = {
  'efficientnet-b0': 5_288_548, 'efficientnet-b1': 7_794_184, 'efficientnet-b2': 9_109_994,
  'efficientnet-b3': 12_233_232, 'efficientnet-b4': 19_341_616, 'efficientnet-b5': 30_389_784,
  'efficientnet-b6': 43_040_704, 'efficientnet-b7': 66_347_960, 'efficientnet-b8': 87_413_142,
  'efficientnet-l2': 480_309_308,
};

test('parameter counts equal the reference for every variant', () => {
  for (const name of VARIANT_NAMES) {
    assert.equal(countParameters(buildNetwork(resolveConfig(name))), PARAMETERS[name], name);
  }
});

test('width rounding keeps multiples of 8 and at least 90% of the scaled value', () => {
  assert.equal(roundFilters(32, 1.0), 32);
  assert.equal(roundFilters(32, 1.1), 32);
  assert.equal(roundFilters(1280, 1.1), 1408);
  assert.equal(roundFilters(40, 1.1), 48); // 44 → 48 by rounding half up
  assert.equal(roundFilters(24, 1.4), 32); // 33.6 → 32
  assert.equal(roundFilters(16, 4.3), 72); // 68.8 → 72
  assert.equal(roundFilters(10, 0.5), 8); // never below the divisor
  assert.equal(roundFilters(112, 1.8), 200); // 201.6 → 200 (≥ 181.4)
});

test('depth rounding takes the ceiling', () => {
  assert.equal(roundRepeats(1, 1.1), 2);
  assert.equal(roundRepeats(3, 1.4), 5);
  assert.equal(roundRepeats(4, 3.1), 13);
  assert.equal(roundRepeats(2, 1.0), 2);
});

test('same padding puts the odd pixel after', () => {
  assert.deepEqual(samePadding(224, 3, 2), [0, 1]);
  assert.deepEqual(samePadding(112, 5, 2), [1, 2]);
  assert.deepEqual(samePadding(112, 3, 1), [1, 1]);
  assert.deepEqual(samePadding(7, 1, 1), [0, 0]);
  assert.deepEqual(samePadding(225, 3, 2), [1, 1]);
  assert.deepEqual(axisPadding('symmetric', 224, 5, 2), [2, 2]);
});

test('block strings round-trip through the B0 table', () => {
  const strings = B0_STAGES.map(formatBlockString);
  assert.equal(strings[0], 'r1_k3_s11_e1_i32_o16_se0.25');
  assert.equal(strings[5], 'r4_k5_s22_e6_i112_o192_se0.25');
  assert.deepEqual(strings.map(parseBlockString), B0_STAGES);
  assert.equal(parseBlockString('r1_k3_s11_e1_i32_o16_noskip').idSkip, false);
  assert.equal(parseBlockString('r1_k3_s11_e1_i32_o16_noskip').seRatio, 0);
});

test('bad block strings list every problem', () => {
  assert.throws(() => parseBlockString('r1_x3_s12'), (e: Error) =>
    e instanceof ConfigError && /unknown field 'x3'/.test(e.message) && /missing field 'k'/.test(e.message) && /s12/.test(e.message));
});

test('compound scaling follows α^φ, β^φ, γ^φ', () => {
  const s = compoundScale(1);
  assert.equal(s.depth, 1.2);
  assert.equal(s.width, 1.1);
  assert.equal(s.resolution, 258);
  assert.ok(Math.abs(compoundScale(2).flopsMultiplier - (1.2 * 1.1 ** 2 * 1.15 ** 2) ** 2) < 1e-12);
  const custom = buildNetwork(resolveConfig(scaledVariant(3)));
  assert.equal(custom.config.imageSize[0], Math.round(224 * 1.15 ** 3));
  assert.throws(() => compoundScale(1, { alpha: -1, beta: 1, gamma: Number.NaN }), /alpha -1.*gamma NaN/);
});

test('variant names accept the torchvision and timm spellings', () => {
  assert.equal(getVariant('efficientnet_b3').resolution, 300);
  assert.equal(getVariant('tf_efficientnet_b8').resolution, 672);
  assert.equal(getVariant('l2').width, 4.3);
  assert.throws(() => getVariant('efficientnet-b9'), /Unknown model 'efficientnet-b9'. Should be one of: 'efficientnet-b0'/);
});

test('invalid options are reported together', () => {
  assert.throws(
    () => resolveConfig('efficientnet-b0', { numClasses: 0, inChannels: 1.5, padding: 'valid' as never }),
    (e: Error) => e instanceof ConfigError && /numClasses 0/.test(e.message) && /inChannels 1.5/.test(e.message) && /padding 'valid'/.test(e.message),
  );
});

test('b0 endpoints are the last map at each resolution and the head', () => {
  const net = buildNetwork(resolveConfig('efficientnet-b0'));
  assert.deepEqual(
    net.endpoints.map((e) => [e.name, e.channels, ...e.size]),
    [
      ['reduction_1', 16, 112, 112], ['reduction_2', 24, 56, 56], ['reduction_3', 40, 28, 28],
      ['reduction_4', 112, 14, 14], ['reduction_5', 320, 7, 7], ['reduction_6', 1280, 7, 7],
    ],
  );
});

test('drop connect grows linearly with the block index', () => {
  const net = buildNetwork(resolveConfig('efficientnet-b0'));
  assert.equal(net.blocks[0].dropConnectRate, 0);
  assert.equal(net.blocks[8].dropConnectRate, 0.2 * 8 / 16);
});
