/**
 * Where an inference graph's time goes, by role in the network (roles.ts): each node of
 * onnxruntime's per-node profile (profile.ts) traced back to the float graph's node it came
 * from. onnxruntime names what its passes make after their source: the QDQ fusion keeps the
 * node's name (`Conv_31` → QLinearConv `Conv_31`), its NHWC transformer appends a token
 * (`Conv_31_token_43`), its NCHWc transformer names a convolution after its output
 * (`_blocks.2._depthwise_conv_nchwc`) and its fusions append their own (`Mul_16/QuickGeluFusion/`).
 */
import type { OperatorAccount } from '../profile.js';
import type { OpenModel, PassNode } from './onnxModel.js';
import { type Role, nodeRoles } from './roles.js';

/** A role, with the depthwise convolutions apart from the other `conv` ones; `edges` for what no float node explains (layout reorders, the input's quantization). */
export type AccountRole = Role | 'depthwise' | 'edges';

export interface RoleTime {
  readonly role: AccountRole;
  /** onnxruntime's kernel (QLinearConv, QLinearMul, QuickGelu, ...). */
  readonly op: string;
  /** Milliseconds per run. */
  readonly ms: number;
  readonly nodes: number;
}

/** The float node name a profiled name comes from. */
function sourceName(profiled: string): string {
  return profiled.replace(/\/.*$/, '').replace(/_token_\d+$/, '').replace(/_nchwc$/, '');
}

function isDepthwise(node: PassNode): boolean {
  const group = (node.attribute as { name?: string; i?: number }[]).find((a) => a.name === 'group');
  return Number(group?.i ?? 1) > 1;
}

/**
 * Kernel time per (role, kernel) of a profiled run of `floatGraph` or of a pass over it (the
 * int8 graph keeps its node names), largest first.
 *
 * @example
 * const rows = roleAccount(OpenModel.decode(floatBytes), await operatorAccount(profilePath, 1, Infinity));
 * // [{ role: 'conv', op: 'QLinearConv', ms: 10.4, nodes: 33 }, { role: 'swish', op: 'QLinearSigmoid', ... }, ...]
 */
export function roleAccount(floatGraph: OpenModel, account: OperatorAccount): RoleTime[] {
  const bySource = new Map<string, AccountRole>();
  for (const [node, role] of nodeRoles(floatGraph.nodes, floatGraph.inputNames[0])) {
    const named = role === 'conv' && isDepthwise(node) ? 'depthwise' : role;
    bySource.set(node.name, named);
    bySource.set(node.outputs[0], named);
  }
  const rows = new Map<string, { role: AccountRole; op: string; ms: number; nodes: number }>();
  for (const { name, op, ms } of account.perNode) {
    const role = bySource.get(sourceName(name)) ?? 'edges';
    const key = `${role} ${op}`;
    const row = rows.get(key) ?? rows.set(key, { role, op, ms: 0, nodes: 0 }).get(key)!;
    row.ms += ms;
    row.nodes++;
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}
