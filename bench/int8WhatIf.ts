/**
 * What a fused int8 swish kernel would give, measured without one: each swish's Mul dropped and
 * its Sigmoid quantized to the swish's output range, so that onnxruntime runs one lookup-table
 * pass (QLinearSigmoid) where a swish kernel would run its own. The outputs are wrong; the cost
 * is that of a one-pass swish.
 */
import type { OpenModel } from '../src/runtime/quantize/onnxModel.js';
import { nodeRoles } from '../src/runtime/quantize/roles.js';

/**
 * Rewrites the float graph `m` in place: each swish x·sigmoid(x) becomes its sigmoid, written
 * under the product's name, so the product's calibrated range is the lookup's output range.
 *
 * @example
 * swishAsOneLookup(floatGraph);
 * quantizeGraph(floatGraph, calibration.ranges, new Set(calibration.keepFloat));
 */
export function swishAsOneLookup(m: OpenModel): void {
  const roles = nodeRoles(m.nodes, m.inputNames[0]);
  const sigmoids = new Map(m.nodes.filter((n) => n.opType === 'Sigmoid').map((n) => [n.outputs[0], n]));
  m.nodes = m.nodes.filter((n) => {
    if (roles.get(n) !== 'swish' || n.opType !== 'Mul') return true;
    sigmoids.get(n.inputs.find((i) => sigmoids.has(i))!)!.outputs = [n.outputs[0]];
    return false;
  });
}
