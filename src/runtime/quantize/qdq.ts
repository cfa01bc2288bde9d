/**
 * The int8 graph: a pass over the float inference graph (batch norm already folded) that puts
 * QuantizeLinear/DequantizeLinear pairs where onnxruntime's QDQ fusion turns each
 * `DQ → op → Q` group into its integer kernel (QLinearConv, and com.microsoft QLinearMul,
 * QLinearAdd, QLinearSigmoid, QLinearGlobalAveragePool). Activations are uint8 with the
 * calibrated range; convolution and classifier weights int8, symmetric, one scale per output
 * channel (depthwise too); biases int32 at input scale × weight scale.
 */
import { RuntimeError } from '../../errors.js';
import type { ActivationRange } from './observer.js';
import { OpenModel, type PassNode, TENSOR_TYPE } from './onnxModel.js';
import { type Role, nodeRoles } from './roles.js';

/** The tensors whose ranges calibration must measure: every activation a quantized node reads or writes. */
export function quantizedTensors(model: OpenModel, keepFloat: ReadonlySet<Role>): string[] {
  const tensors = new Set<string>();
  for (const [node] of quantizedNodes(model, keepFloat)) {
    for (const name of [...node.inputs, ...node.outputs]) if (name && !model.initializers.has(name)) tensors.add(name);
  }
  return [...tensors];
}

function quantizedNodes(model: OpenModel, keepFloat: ReadonlySet<Role>): Map<PassNode, Role> {
  const roles = nodeRoles(model.nodes, model.inputNames[0]);
  return new Map([...roles].filter(([, role]) => !keepFloat.has(role)));
}

/** uint8 scale and zero point of a range that holds 0. */
export function uint8Params([lo, hi]: ActivationRange): { scale: number; zeroPoint: number } {
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * Rewrites `model` in place into its QDQ int8 form.
 *
 * @example
 * const m = OpenModel.decode(floatGraph);
 * quantizeGraph(m, ranges, new Set(['classifier']));
 * const bytes = m.encode();
 */
export function quantizeGraph(model: OpenModel, ranges: Readonly<Record<string, ActivationRange>>, keepFloat: ReadonlySet<Role>): void {
  const quantized = quantizedNodes(model, keepFloat);
  const tensors = new Set(quantizedTensors(model, keepFloat));
  const missing = [...tensors].filter((t) => !ranges[t]);
  if (missing.length > 0) {
    throw new RuntimeError(`The calibration does not cover this graph (no range for ${missing.length} tensors, e.g. '${missing[0]}'): it was made for another build of the model; calibrate again`);
  }
  const params = new Map<string, { scale: string; zeroPoint: string; value: number }>();
  for (const t of tensors) {
    const { scale, zeroPoint } = uint8Params(ranges[t]);
    params.set(t, {
      scale: model.setInitializer(`${t}::scale`, TENSOR_TYPE.float32, [], Float32Array.of(scale)),
      zeroPoint: model.setInitializer(`${t}::zero_point`, TENSOR_TYPE.uint8, [], Uint8Array.of(zeroPoint)),
      value: scale,
    });
  }
  const out: PassNode[] = [];
  const quantizeOutput = (t: string) => {
    const p = params.get(t)!;
    out.push(OpenModel.node('QuantizeLinear', [t, p.scale, p.zeroPoint], [`${t}::q`], `${t}::quantize`));
  };
  // Each reader gets its own DequantizeLinear, so that every fused group owns its DQ nodes.
  let dequantized = 0;
  const dequantize = (t: string) => {
    const p = params.get(t)!;
    const name = `${t}::dq${dequantized++}`;
    out.push(OpenModel.node('DequantizeLinear', [`${t}::q`, p.scale, p.zeroPoint], [name], `${name}::node`));
    return name;
  };
  for (const input of model.inputNames) if (tensors.has(input)) quantizeOutput(input);
  for (const node of model.nodes) {
    const weighted = quantized.has(node) && (node.opType === 'Conv' || node.opType === 'Gemm');
    const [x, w, b] = node.inputs;
    const weight = weighted ? quantizedWeight(model, out, w) : undefined;
    const bias = weight && b ? quantizedBias(model, out, b, params.get(x)!.value, weight.scales) : undefined;
    node.inputs = node.inputs.map((name, slot) => {
      if (tensors.has(name)) return dequantize(name);
      if (weight && slot === 1) return weight.value;
      if (bias && slot === 2) return bias;
      return name;
    });
    out.push(node);
    for (const o of node.outputs) if (tensors.has(o)) quantizeOutput(o);
  }
  model.nodes = out;
}

/** Per-output-channel scales of a weight [C_out, ...]: max |w| / 127 (1 for an all-zero channel). */
function channelScales(w: Float32Array, channels: number): Float32Array {
  const per = w.length / channels;
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let i = c * per; i < (c + 1) * per; i++) m = Math.max(m, Math.abs(w[i]));
    scales[c] = m > 0 ? m / 127 : 1;
  }
  return scales;
}

/** The int8 weight behind a DequantizeLinear (axis 0), and its channel scales. */
function quantizedWeight(model: OpenModel, out: PassNode[], name: string): { value: string; scales: Float32Array } {
  const t = model.initializers.get(name)!;
  const w = model.floats(name)!;
  const channels = t.dims[0];
  const scales = channelScales(w, channels);
  const per = w.length / channels;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scales[Math.floor(i / per)])));
  const inputs = [
    model.setInitializer(`${name}::int8`, TENSOR_TYPE.int8, t.dims, q),
    model.setInitializer(`${name}::scale`, TENSOR_TYPE.float32, [channels], scales),
    model.setInitializer(`${name}::zero_point`, TENSOR_TYPE.int8, [channels], new Int8Array(channels)),
  ];
  out.push(OpenModel.node('DequantizeLinear', inputs, [`${name}::dq`], `${name}::dequantize`, { axis: 0 }));
  return { value: `${name}::dq`, scales };
}

/** The bias as int32 at scale inputScale · weightScale[c], which the integer kernels add to their int32 sums. */
function quantizedBias(model: OpenModel, out: PassNode[], name: string, inputScale: number, weightScales: Float32Array): string {
  const b = model.floats(name)!;
  const scales = weightScales.map((s) => s * inputScale);
  const q = Int32Array.from(b, (v, c) => Math.round(v / scales[c]));
  const inputs = [model.setInitializer(`${name}::int32`, TENSOR_TYPE.int32, [b.length], q), model.setInitializer(`${name}::scale`, TENSOR_TYPE.float32, [b.length], scales)];
  out.push(OpenModel.node('DequantizeLinear', inputs, [`${name}::dq`], `${name}::dequantize`, { axis: 0 }));
  return `${name}::dq`;
}
