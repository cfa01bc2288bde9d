/**
 * What each node of the float inference graph is in the network, read from the graph itself:
 * the quantization policy is stated in these roles ("keep the classifier in float"), not in
 * node indices. Convolutions carry their reference layer names (`_blocks.3._se_reduce`).
 */
import type { PassNode } from './onnxModel.js';

/**
 * - `stem`: the first convolution (and the quantized graph input before it).
 * - `conv`: the expansion, depthwise, projection and head convolutions.
 * - `swish`: x·sigmoid(x) after those convolutions (both the Sigmoid and the Mul).
 * - `se`: the squeeze-and-excitation branch: pool, reduce, its swish, expand, the gate's sigmoid.
 * - `gate`: the product of a block's map and its SE gate ([N, C, H, W] · [N, C, 1, 1]).
 * - `residual`: the skip connection's Add.
 * - `pool`: the global average pool before the classifier.
 * - `classifier`: the final Gemm.
 */
export const ROLES = ['stem', 'conv', 'swish', 'se', 'gate', 'residual', 'pool', 'classifier'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The role of every node that has one (Flatten and Identity have none and stay float).
 *
 * @example
 * nodeRoles(model.nodes, 'input').get(model.nodes[0]) // 'stem'
 */
export function nodeRoles(nodes: readonly PassNode[], graphInput: string): Map<PassNode, Role> {
  const producer = new Map<string, PassNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const consumers = new Map<string, PassNode[]>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const fromSe = (value: string) => {
    const p = producer.get(value);
    return !!p && p.opType === 'Conv' && /_se_(reduce|expand)$/.test(p.outputs[0]);
  };
  const roles = new Map<PassNode, Role>();
  for (const n of nodes) {
    const role = roleOf(n);
    if (role) roles.set(n, role);
  }
  return roles;

  function roleOf(n: PassNode): Role | undefined {
    switch (n.opType) {
      case 'Conv':
        if (n.inputs[0] === graphInput) return 'stem';
        return /_se_(reduce|expand)$/.test(n.outputs[0]) ? 'se' : 'conv';
      case 'Sigmoid':
        return fromSe(n.inputs[0]) ? 'se' : 'swish';
      case 'Mul': {
        const sigmoid = n.inputs.map((i) => producer.get(i)).find((p) => p?.opType === 'Sigmoid');
        const gated = sigmoid && /_se_expand$/.test(sigmoid.inputs[0]);
        if (gated) return 'gate';
        return n.inputs.some(fromSe) ? 'se' : 'swish';
      }
      case 'GlobalAveragePool':
        return (consumers.get(n.outputs[0]) ?? []).some((c) => c.opType === 'Flatten') ? 'pool' : 'se';
      case 'Add':
        return 'residual';
      case 'Gemm':
        return 'classifier';
      default:
        return undefined;
    }
  }
}
