/**
 * Where the training graph saves full-map elementwise passes (src/train/emit/batchNorm.ts,
 * depthwise.ts, expansion.ts), asserted on the graph's structure; that the gradients stay exact
 * is test/train/gradients.test.ts, whose 96 px fixtures take both forms checked here.
 * - A stride-1 depthwise layer on maps of 28×28 or more forms its batch-norm gradient in blocked
 *   layout: dz = dy + a·z + b is one blocked Conv with a Sum input (4 inputs), no plain
 *   affine, Add and reorder of dz. Smaller maps, the portable forms and graphs without the
 *   blocked kernel keep the plain form.
 * - An expanding 1×1 layer on maps of 28×28 or more never forms its pre-norm map z: batch norm
 *   folds into the convolution (one Conv with bias, statistics off the input's Gram matrix), and
 *   Σ dy·z is read off Σ dy·xᵀ, so no Mul and ReduceSum over the wide map either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { NCHWC_DOMAIN } from '../../src/runtime/onnx/graph.js';
import { ModelProto } from '../../src/runtime/onnx/schema.js';
import type { TrainingTarget } from '../../src/train/emit/forms.js';
import { buildTrainingGraph } from '../../src/train/trainingGraph.js';
import { syntheticStateDict } from '../support/fixtures.js';

interface NodeLike { opType: string; domain?: string; input: string[]; output: string[] }

function nodes(size: number, target: TrainingTarget, nchwcBlock: number): NodeLike[] {
  const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size, numClasses: 10 }));
  const graph = buildTrainingGraph(net, syntheticStateDict(net, 'lukemelas', 3), { batchSize: 2, target, nchwcBlock });
  return (ModelProto.decode(graph.model) as unknown as { graph: { node: NodeLike[] } }).graph.node;
}

/** The blocked Conv with bias and Sum input that forms dz on blocked maps. */
const blockedAffineSums = (list: readonly NodeLike[]) => list.filter((n) => n.opType === 'Conv' && n.domain === NCHWC_DOMAIN && n.input.length === 4).length;

test('stride-1 depthwise layers on maps of 28×28 or more form dz blocked, in one Conv each', () => {
  // b0 at 224: blocks 0 (112²), 2 (56²) and 4 (28²); at 96 (the gradient fixtures): block 0 (48²).
  assert.equal(blockedAffineSums(nodes(224, 'cpu', 16)), 3);
  assert.equal(blockedAffineSums(nodes(96, 'cpu', 8)), 1);
  assert.equal(blockedAffineSums(nodes(32, 'cpu', 16)), 0, 'small maps keep the plain form');
  assert.equal(blockedAffineSums(nodes(224, 'cpu', 0)), 0, 'no blocked kernel');
  assert.equal(blockedAffineSums(nodes(224, 'webgpu', 0)), 0, 'portable forms');
});

test('an expanding layer on large maps folds batch norm into its convolution and never forms z', () => {
  // Where the fold applies (b0 at 224: blocks 1–5, on 112² to 28²) the expanding Conv writes the
  // normalised map itself (named after the batch norm), and no BatchNormalization reads its output;
  // on 14² maps (blocks 6–10) the Conv writes z, which the batch norm and the backward's Mul read.
  const list = nodes(224, 'cpu', 16);
  const producer = (value: string) => list.find((n) => n.output.includes(value))?.opType;
  const consumers = (value: string) => list.filter((n) => n.input.includes(value)).map((n) => n.opType).sort();
  for (const block of [1, 2, 3, 4, 5]) {
    assert.equal(producer(`_blocks.${block}._bn0`), 'Conv', `block ${block}: the Conv writes the normalised map`);
    assert.equal(producer(`_blocks.${block}._expand_conv`), undefined, `block ${block}: no z`);
  }
  for (const block of [6, 7, 8, 9, 10]) {
    assert.equal(producer(`_blocks.${block}._bn0`), 'BatchNormalization', `block ${block}`);
    assert.ok(consumers(`_blocks.${block}._expand_conv`).includes('Mul'), `block ${block}`);
  }
});
