/**
 * The Fused-MBConv block's training rule: a full k×k strided convolution with expansion, batch
 * norm and swish, then the 1×1 projection with batch norm (no activation); at ratio 1 the k×k
 * convolution alone. No squeeze-and-excitation. The k×k convolution takes ./convBn.ts's dense
 * path (filter gradient by im2col and one batched MatMul, input gradient by ConvTranspose), the
 * projection its pointwise path; the residual and drop connect are the caller's, as for MBConv.
 */
import type { MBConvBlock } from '../../arch/network.js';
import type { EmitContext } from './context.js';
import { convBn } from './convBn.js';
import { swish } from './layers.js';

/**
 * [N, C_in, H, W] → [N, C_out, H/s, W/s] through a fused block's parts, with their backward on the tape.
 *
 * @example
 * x = fusedBlock(ctx, x, net.blocks[2]); // V2-S block 2: 24 → 96 (k3, s2) → 48
 */
export function fusedBlock(ctx: EmitContext, x: string, block: MBConvBlock): string {
  if (block.kind !== 'fused' || !block.expand) throw new Error(`${block.name} is not a Fused-MBConv block`);
  const expanded = swish(ctx, convBn(ctx, x, block.expand)); // [N, C_in·e, H/s, W/s] (C_out at ratio 1)
  return block.project ? convBn(ctx, expanded, block.project) : expanded; // [N, C_out, H/s, W/s]
}
