/**
 * onnxruntime's blocked (NCHWc) CPU kernels, which the depthwise and dense training rules run
 * on where the block divides the channels: [N, C, H, W] is reordered into [N, C/B, H, W, B]
 * (B = 8 or 16 by the CPU's vector width) once and shared by the nodes that read it.
 */
import { type Attribute, type GraphBuilder, NCHWC_DOMAIN } from '../../runtime/onnx/graph.js';
import type { EmitContext } from './context.js';

/** Whether the blocked kernel takes `channels`. */
export function blocks(ctx: EmitContext, channels: number): boolean {
  return ctx.nchwcBlock > 0 && channels % ctx.nchwcBlock === 0;
}

/** [N, C, H, W] → the same values in blocked layout (com.microsoft.nchwc ReorderInput). *
 * @example
 * const gb = toBlocked(ctx.ops.g, g);
 */
export function toBlocked(g: GraphBuilder, x: string): string {
  return g.nodeMulti('ReorderInput', [x], 1, {}, undefined, NCHWC_DOMAIN)[0];
}

/** The blocked layout back to [N, C, H, W] (com.microsoft.nchwc ReorderOutput). */
export function fromBlocked(g: GraphBuilder, x: string, channels: number): string {
  return g.nodeMulti('ReorderOutput', [x], 1, { channels: { int: channels } }, undefined, NCHWC_DOMAIN)[0];
}

/** A Conv on a blocked input (its filter in OIHWBo order, or a blocked tensor of that layout). */
export function blockedConv(g: GraphBuilder, xb: string, filter: string, attributes: Record<string, Attribute>): string {
  return g.nodeMulti('Conv', [xb, filter], 1, attributes, undefined, NCHWC_DOMAIN)[0];
}

