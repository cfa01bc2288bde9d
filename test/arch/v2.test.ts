/**
 * EfficientNetV2 as rows of the same stage tables: parameter counts pinned to torchvision 0.14
 * (S, M, L) and timm (tf_efficientnetv2_b0–b3, s, m, l, xl, as scripts/timm_efficientnetv2.py
 * restates them), Fused-MBConv block strings, names and the module tree torchvision prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { countParameters } from '../../src/arch/parameters.js';
import { formatBlockString, parseBlockString } from '../../src/arch/blockString.js';
import { V2_BASE, V2_S } from '../../src/arch/stages.js';
import { formatSummary, summarize } from '../../src/arch/summary.js';
import { canonicalVariantName, getVariant, V2_VARIANT_NAMES } from '../../src/arch/variants.js';
import { roundFilters } from '../../src/arch/scaling.js';
import { EfficientNet } from '../../src/index.js';
import { renameStateDict } from '../../src/weights/keymaps.js';
import { FIXTURES } from '../support/fixtures.js';

// torchvision 0.14's num_params for S/M/L; timm's counts (7.14 / 8.14 / 10.10 / 14.36 / 208.12 M).
const PARAMETERS: Record<string, number> = {
  'efficientnet-v2-b0': 7_139_704, 'efficientnet-v2-b1': 8_141_052, 'efficientnet-v2-b2': 10_096_086, 'efficientnet-v2-b3': 14_358_406,
  'efficientnet-v2-s': 21_458_488, 'efficientnet-v2-m': 54_139_356, 'efficientnet-v2-l': 118_515_272, 'efficientnet-v2-xl': 208_119_808,
};

test('V2 parameter counts equal torchvision and timm for every variant', () => {
  assert.deepEqual(V2_VARIANT_NAMES, Object.keys(PARAMETERS));
  for (const name of V2_VARIANT_NAMES) assert.equal(countParameters(buildNetwork(resolveConfig(name))), PARAMETERS[name], name);
});

test('V2-S: Fused-MBConv stages without SE, then MBConv with SE of a quarter of the block input', () => {
  const net = buildNetwork(resolveConfig('efficientnet-v2-s'));
  assert.equal(net.blocks.length, 40);
  const [first, , third] = net.blocks;
  // Ratio 1: one 3×3 convolution (with swish) to the output channels, residual, no projection.
  assert.deepEqual([first.kind, first.expand?.conv.kernel, first.project, first.depthwise, first.se, first.residual], ['fused', 3, undefined, undefined, undefined, true]);
  // Ratio 4: the strided 3×3 expansion 24 → 96, then the 1×1 projection to 48.
  assert.equal(net.blocks[2].kind, 'fused');
  const second = net.blocks[2];
  assert.deepEqual([second.expand?.conv.inChannels, second.expand?.conv.outChannels, second.expand?.conv.stride, second.project?.conv.outChannels], [24, 96, 2, 48]);
  assert.equal(third.kind, 'fused');
  const mb = net.blocks.find((b) => b.kind === 'mbconv')!;
  assert.deepEqual([mb.index, mb.inChannels, mb.expand?.conv.outChannels, mb.se?.reduce.outChannels, mb.depthwise?.conv.stride], [10, 64, 256, 16, 2]);
  assert.equal(net.stem.conv.outChannels, 24);
  assert.equal(net.featureChannels, 1280);
  assert.deepEqual(net.endpoints.map((e) => e.size[0]), [192, 96, 48, 24, 12, 12]);
  assert.match(formatSummary(summarize(net)), /FusedMBConv4 k3 s2/);
});

test('timm V2 B variants round channels plainly (round_limit 0)', () => {
  assert.equal(roundFilters(16, 1.2, 8, 8, 0), 16);
  assert.equal(roundFilters(16, 1.2), 24);
  const b3 = buildNetwork(resolveConfig('efficientnet-v2-b3'));
  assert.deepEqual([b3.stem.conv.outChannels, b3.blocks[0].outChannels, b3.featureChannels], [40, 16, 1536]);
});

test('Fused-MBConv rows print as timm block strings and parse back', () => {
  assert.deepEqual(V2_S.stages.map(formatBlockString).slice(0, 4), ['cn_r2_k3_s11_e1_i24_o24', 'er_r4_k3_s22_e4_i24_o48', 'er_r4_k3_s22_e4_i48_o64', 'r6_k3_s22_e4_i64_o128_se0.25']);
  for (const stage of [...V2_S.stages, ...V2_BASE.stages]) assert.deepEqual(parseBlockString(formatBlockString(stage)), stage);
  assert.throws(() => parseBlockString('er_r2_k3_s11_e1_i24_o24'), /'er' with e1 is not supported/);
});

test('every spelling of a V2 name', () => {
  for (const name of ['efficientnet_v2_s', 'tf_efficientnetv2_s', 'efficientnetv2_s', 'v2-s', 'EfficientNet-V2-S']) assert.equal(canonicalVariantName(name), 'efficientnet-v2-s', name);
  assert.equal(getVariant('tf_efficientnetv2_xl').resolution, 512);
  assert.throws(() => getVariant('efficientnet_v2_xxl'), /Unknown model 'efficientnet_v2_xxl'. Should be one of: .*'efficientnet-v2-s'/);
});

test('a model with torchvision V2 weights prints what print(efficientnet_v2_s()) prints in torchvision 0.14', async () => {
  const template = EfficientNet.fromName('efficientnet-v2-s', { padding: 'symmetric' });
  const net = EfficientNet.fromStateDict(renameStateDict(template.weights, template.network, 'lukemelas', 'torchvision'));
  assert.equal(net.config.name, 'efficientnet-v2-s', 'recognised from the shapes');
  assert.equal(net.config.batchNormEpsilon, 1e-3);
  const expected = (await readFile(join(FIXTURES, 'moduleTree', 'torchvision-v2-s.txt'), 'utf8')).replace(/\n$/, '').split('\n');
  const lines = net.toString().split('\n');
  const differing = expected.flatMap((line, i) => (lines[i] === line ? [] : [`line ${i + 1}: expected ${JSON.stringify(line)}, got ${JSON.stringify(lines[i])}`]));
  assert.deepEqual(differing.slice(0, 5), []);
  assert.equal(lines.length, expected.length);
});
