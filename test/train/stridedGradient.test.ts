/**
 * Which form each strided depthwise layer's input gradient takes (src/train/emit/depthwise.ts):
 * with the blocked kernel, the correlation over the spread-out dz (one Pad each) below 112²
 * input maps and ConvTranspose at 112² (b0's stage 2 at 224 px); ConvTranspose everywhere
 * without the blocked kernel and in the portable forms. Exactness of every form against PyTorch
 * is test/train/gradients.test.ts (96, 72 and 32 px, TF-same and symmetric padding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { ModelProto } from '../../src/runtime/onnx/schema.js';
import type { TrainingTarget } from '../../src/train/emit/forms.js';
import { buildTrainingGraph } from '../../src/train/trainingGraph.js';
import { syntheticStateDict } from '../support/fixtures.js';

/** ConvTranspose and Pad nodes of b0's full training graph at `size` px. */
function strided(size: number, nchwcBlock: number, target: TrainingTarget = 'cpu'): { transposed: number; spread: number } {
  const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size, numClasses: 10 }));
  const graph = buildTrainingGraph(net, syntheticStateDict(net, 'lukemelas', 3), { batchSize: 2, nchwcBlock, target });
  const nodes = (ModelProto.decode(graph.model) as unknown as { graph: { node: { opType: string }[] } }).graph.node;
  const count = (op: string) => nodes.filter((n) => n.opType === op).length;
  return { transposed: count('ConvTranspose'), spread: count('Pad') };
}

test('b0 at 32 px: all four strided layers correlate the spread-out dz', () => {
  assert.deepEqual(strided(32, 16), { transposed: 0, spread: 4 });
  assert.deepEqual(strided(32, 8), { transposed: 0, spread: 4 });
});

test('b0 at 224 px: ConvTranspose for the 112² layer only', () => {
  assert.deepEqual(strided(224, 16), { transposed: 1, spread: 3 });
});

test('without the blocked kernel, and in the portable forms, every strided layer runs ConvTranspose', () => {
  assert.deepEqual(strided(32, 0), { transposed: 4, spread: 0 });
  assert.deepEqual(strided(32, 0, 'webgpu'), { transposed: 4, spread: 0 });
});
