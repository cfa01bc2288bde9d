/**
 * GraphBuilder's output renames (src/runtime/onnx/graph.ts): with `renameOutputs`, a value
 * declared as an output under another name is written under that name by its own node, with no
 * Identity (onnxruntime keeps one, a copy each run, when the value has other readers), and its
 * other readers, in subgraphs too, follow; by default, and where the value cannot be renamed,
 * the Identity stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/runtime/onnx/graph.js';
import { ModelProto } from '../../../src/runtime/onnx/schema.js';

interface NodeLike { opType: string; input: string[]; output: string[]; attribute: { g?: { node: NodeLike[] } }[] }
const decode = (model: Uint8Array) => (ModelProto.decode(model) as unknown as { graph: { node: NodeLike[]; output: { name: string }[] } }).graph;

/** y = 2x, declared as output 'doubled' and also read by z = y + 1 (output 'z'); x itself declared as 'echo'. */
function build(): GraphBuilder {
  const g = new GraphBuilder('g');
  const x = g.input('x', 'float32', [3]);
  const y = g.node('Mul', [x, g.floats('two', [], [2])]);
  g.output(y, 'doubled');
  g.output(g.node('Add', [y, g.floats('one', [], [1])]), 'z');
  g.output(x, 'echo');
  return g;
}

async function run(model: Uint8Array): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

test('renameOutputs: the producer writes the output name, its other reader follows, the values are unchanged', async () => {
  const graph = decode(build().toModel({ renameOutputs: true }));
  assert.deepEqual(graph.node.map((n) => n.opType), ['Mul', 'Add', 'Identity'], 'only the graph input keeps its Identity');
  assert.deepEqual(graph.node[0].output, ['doubled']);
  assert.equal(graph.node[1].input[0], 'doubled');
  assert.deepEqual(graph.output.map((o) => o.name), ['doubled', 'z', 'echo']);
  assert.deepEqual(await run(build().toModel({ renameOutputs: true })), { doubled: [2, 4, 6], z: [3, 5, 7], echo: [1, 2, 3] });
});

test('by default every renamed output keeps its Identity', () => {
  assert.deepEqual(decode(build().toModel()).node.map((n) => n.opType), ['Mul', 'Identity', 'Add', 'Identity', 'Identity']);
});

test('a subgraph reading a renamed value reads it under its new name', async () => {
  const g = new GraphBuilder('g');
  const x = g.input('x', 'float32', [3]);
  const y = g.node('Neg', [x]);
  g.output(y, 'negated');
  const branch = (op: string) => {
    const body = g.subgraph(op);
    body.output(body.node(op, [y]));
    return body;
  };
  const cond = g.node('Constant', [], { value_float: { float: 1 } });
  const flag = g.node('Cast', [cond], { to: { int: 9 } });
  g.output(g.node('If', [flag], { then_branch: { graph: branch('Abs') }, else_branch: { graph: branch('Identity') } }), 'absolute');
  const model = g.toModel({ renameOutputs: true });
  const nodes = decode(model).node;
  const thenBody = nodes.find((n) => n.opType === 'If')!.attribute.find((a) => a.g)!.g!.node;
  assert.equal(thenBody[0].input[0], 'negated');
  assert.deepEqual(await run(model), { negated: [-1, -2, -3], absolute: [1, 2, 3] });
});
