/**
 * What a fused int8 swish kernel would give, measured without one: each swish's Mul dropped and
 * its Sigmoid quantized to the swish's output range, so that onnxruntime runs one lookup-table
 * pass (QLinearSigmoid) where a swish kernel would run its own. The outputs are wrong; the cost
 * is that of a one-pass swish.
 */
import type { OpenModel } from '../src/runtime/quantize/onnxModel.js';
import type { ActivationRange } from '../src/runtime/quantize/observer.js';
import { nodeRoles } from '../src/runtime/quantize/roles.js';

/**
 * Rewrites the float graph `m` in place (each swish x·sigmoid(x) → sigmoid(x), written under the
 * product's name) and returns the calibration ranges for it.
 *
 * @example
 * const ranges = swishAsOneLookup(floatGraph, calibration.ranges);
 * quantizeGraph(floatGraph, ranges, new Set(calibration.keepFloat));
 */
export function swishAsOneLookup(m: OpenModel, ranges: Readonly<Record<string, ActivationRange>>): Record<string, ActivationRange> {
  const roles = nodeRoles(m.nodes, m.inputNames[0]);
  const sigmoids = new Map(m.nodes.filter((n) => n.opType === 'Sigmoid').map((n) => [n.outputs[0], n]));
  const out = { ...ranges };
  m.nodes = m.nodes.filter((n) => {
    if (roles.get(n) !== 'swish' || n.opType !== 'Mul') return true;
    const sigmoid = sigmoids.get(n.inputs.find((i) => sigmoids.has(i))!)!;
    out[n.outputs[0]] = ranges[n.outputs[0]];
    sigmoid.outputs = [n.outputs[0]];
    return false;
  });
  return out;
}
