/**
 * The fp16 graph: a pass over the float inference graph (batch norm already folded) that stores
 * every weight in float16 and runs every operator on float16 activations, for GPU providers
 * (WebGPU with `shader-f16`) where that halves memory traffic and doubles arithmetic rate. The
 * graph's inputs and outputs stay float32, with a Cast at each edge, so callers feed and read
 * the same tensors as the float graph.
 *
 * ONNX has no accumulation-precision attribute for Conv or Gemm: the kernel decides. The one place
 * the graph can choose is the global average pool, a sum over up to 112×112 positions, which
 * float16 cannot hold (at 4096 its step is 4: small terms vanish, and sums overflow 65504), so
 * the pools run in float32 between Casts.
 */
import { floatToHalf } from '../../weights/formats/dtypes.js';
import type { StateDict } from '../../weights/tensor.js';
import type { NetworkSpec } from '../../arch/network.js';
import type { FoldedWeights } from '../fold.js';
import { type InferenceGraph, type InferenceGraphOptions, type InferenceOutput, buildInferenceGraph } from '../inference.js';
import { OpenModel, type PassNode, TENSOR_TYPE } from './onnxModel.js';

/** The largest finite float16: weights past it are clamped rather than turned into infinity. */
export const FLOAT16_MAX = 65504;

/** Operators run in float32 inside the fp16 graph (see the module comment). */
const FLOAT32_OPS: ReadonlySet<string> = new Set(['GlobalAveragePool']);

/** Float32 values as float16 bits, clamped to ±65504. */
export function toFloat16(values: Float32Array): Uint16Array {
  return Uint16Array.from(values, (v) => floatToHalf(Math.max(-FLOAT16_MAX, Math.min(FLOAT16_MAX, v))));
}

/**
 * Rewrites `model` in place into its fp16 form: float32 initializers become float16, float32
 * graph inputs are cast down where they enter and float32 outputs cast up where they leave.
 *
 * @example
 * const m = OpenModel.decode(floatGraph);
 * convertToFloat16(m);
 * const bytes = m.encode({ precision: 'float16' });
 */
export function convertToFloat16(model: OpenModel): void {
  for (const t of model.initializers.values()) {
    if (t.dataType !== TENSOR_TYPE.float32) continue;
    const half = toFloat16(model.floats(t.name)!);
    model.setInitializer(t.name, TENSOR_TYPE.float16, t.dims, half);
  }
  const rename = new Map<string, string>();
  const out: PassNode[] = [];
  const cast = (from: string, to: string, type: number) => out.push(OpenModel.node('Cast', [from], [to], `${to}::cast`, { to: type }));
  for (const input of model.inputNames) {
    if (model.valueType(input) !== TENSOR_TYPE.float32) continue;
    rename.set(input, `${input}::fp16`);
    cast(input, `${input}::fp16`, TENSOR_TYPE.float16);
  }
  const outputs = new Set(model.outputNames.filter((o) => model.valueType(o) === TENSOR_TYPE.float32));
  for (const o of outputs) rename.set(o, `${o}::fp16`);
  const renamed = (name: string) => rename.get(name) ?? name;
  const widened = new Set<string>();
  for (const node of model.nodes) {
    node.inputs = node.inputs.map(renamed);
    node.outputs = node.outputs.map(renamed);
    if (FLOAT32_OPS.has(node.opType)) {
      // [N, C, H, W] fp16 → fp32 → pool → [N, C, 1, 1] fp32 → fp16
      const [x] = node.inputs;
      const [y] = node.outputs;
      if (!widened.has(x)) cast(x, `${x}::fp32`, TENSOR_TYPE.float32);
      widened.add(x);
      node.inputs = [`${x}::fp32`, ...node.inputs.slice(1)];
      node.outputs = [`${y}::fp32`];
      out.push(node);
      cast(`${y}::fp32`, y, TENSOR_TYPE.float16);
    } else {
      out.push(node);
    }
  }
  for (const o of outputs) cast(`${o}::fp16`, o, TENSOR_TYPE.float32);
  model.nodes = out;
}

/**
 * The fp16 graph for the given outputs (weights inline: they are half the float ones), in
 * `buildInferenceGraph`'s shape, for the engine and export.
 *
 * @example
 * const { model } = buildFp16Graph(net.network, net.weights, 'logits');
 */
export function buildFp16Graph(net: NetworkSpec, weights: StateDict | FoldedWeights, output: InferenceOutput | readonly InferenceOutput[], options: InferenceGraphOptions = {}): InferenceGraph {
  const float = buildInferenceGraph(net, weights, output, { ...options, external: false });
  const model = OpenModel.decode(float.model);
  convertToFloat16(model);
  return { ...float, model: model.encode({ precision: 'float16 (weights and activations; float32 inputs, outputs and global average pools)' }), externalData: [] };
}
