/**
 * Gradients of a dense k×k convolution (the stem, Fused-MBConv's expansion) given dz/k1
 * [N, C_out, H', W'] and the per-output-channel scale k1 [C_out], in the forms measured fastest
 * on onnxruntime's CPU at V2-S's 128 px shapes, batch 16:
 * - filter gradient: im2col by a one-hot Conv over single channels [N·C_in, k·k, H', W'] and
 *   one batched MatMul [N, C_out, L]·[N, L, C_in·k·k] (or its transpose for narrow C_out),
 *   summed over N and scaled after the reduction. One GEMM with K = N·L needs both operands transposed first (slower at 32×32,
 *   even at 16×16), and x^T ⋆ dz^T as one Conv with the batch as channels is 2–3× slower (2.5×
 *   on the blocked kernel too). Also no faster at 48 → 192, 32×32: the patches by one Conv of x
 *   with C_in groups (equal), the batch in 2 or 4 chunks so that a chunk's patches stay in cache
 *   (equal or slower), an Einsum (slower). Alone, im2col and product take 1.14× the blocked
 *   forward Conv's time; in the step 1.5–1.7× (per-node profile: the operands come from memory);
 * - input gradient, stride 1: a Conv of dz with the spatially flipped, in/out-transposed filter
 *   (k1 folded in), on the blocked (NCHWc) kernel when the block divides both channel counts:
 *   ConvTranspose forms columns by a GEMM and scatters them back (col2im), a pass the
 *   correlation does not make;
 * - input gradient, stride 2: ConvTranspose (the unread padded rows as output_padding).
 */
import type { ConvLayer } from '../../arch/network.js';
import type { EmitContext } from './context.js';
import { blockedConv, blocks, fromBlocked, toBlocked } from './blocked.js';
import { convAttributes, flippedFilter, flippedPadAttributes, transposedConv } from './convGeometry.js';
import { batchSum } from './reduce.js';

/**
 * Below this many output channels the filter gradient's per-sample product takes the patches as
 * its left operand ([N, C_in·k·k, L]·[N, L, C_out]): 12% faster for V2-S's 24 → 24 layer at 64×64,
 * 7% for 24 → 96, equal for the stems (3 → 24, 3 → 32) and for 192 or 256 outputs.
 */
const NARROW = 128;

/** [O, I, k, k] → OIHWBiBo [O/B, I/B, k, k, B_i, B_o] (shape kept), the blocked dense kernel's filter order. */
function blockedDenseFilter(ctx: EmitContext, w: string, out: number, inp: number, k: number): string {
  const { ops } = ctx;
  const b = ctx.nchwcBlock;
  const split = ops.reshape(w, [out / b, b, inp / b, b, k, k]);
  return ops.reshape(ops.transpose(split, [0, 2, 4, 5, 3, 1]), [out, inp, k, k]);
}

/** Whether both channel counts of `layer` fill whole blocks of the NCHWc kernel. */
function blockedLayer(ctx: EmitContext, layer: ConvLayer): boolean {
  return layer.groups === 1 && blocks(ctx, layer.inChannels) && blocks(ctx, layer.outChannels);
}

/**
 * The forward dense convolution x [N, C_in, H, W] → [N, C_out, H', W'], on the blocked kernel
 * (filter reordered in the graph, as it is a graph input) when the block divides both channel
 * counts: 2–15% under the plain Conv at V2-S's 16×16 and 32×32 maps, reorders included.
 *
 * @example
 * const z = denseForward(ctx, x, w, block.expand.conv); // [N, C_out, H', W']
 */
export function denseForward(ctx: EmitContext, x: string, w: string, layer: ConvLayer): string {
  if (!blockedLayer(ctx, layer)) return ctx.ops.g.node('Conv', [x, w], convAttributes(layer), layer.name);
  const filter = blockedDenseFilter(ctx, w, layer.outChannels, layer.inChannels, layer.kernel);
  const g = ctx.ops.g;
  return fromBlocked(g, blockedConv(g, toBlocked(g, x), filter, convAttributes(layer)), layer.outChannels);
}

/**
 * The input gradient of a stride-1 dense convolution: dz [N, C_out, H, W] correlated with
 * wk [C_out, C_in, k, k] flipped in space and transposed to [C_in, C_out, k, k], padded by
 * k − 1 − p on each side → [N, C_in, H, W].
 */
function flippedConv(ctx: EmitContext, layer: ConvLayer, dz: string, wk: string): string {
  const { ops } = ctx;
  const flipped = flippedFilter(ops, ops.transpose(wk, [1, 0, 2, 3])); // [C_in, C_out, k, k]
  const attributes = flippedPadAttributes(layer);
  if (!blockedLayer(ctx, layer)) return ops.g.node('Conv', [dz, flipped], attributes);
  const filter = blockedDenseFilter(ctx, flipped, layer.inChannels, layer.outChannels, layer.kernel);
  return fromBlocked(ops.g, blockedConv(ops.g, toBlocked(ops.g, dz), filter, attributes), layer.inChannels);
}

/**
 * dW [C_out, C_in, k, k] and dX [N, C_in, H, W] of a dense convolution, each only when asked for.
 *
 * @example
 * const { dw, dx } = denseBackward(ctx, block.expand.conv, x, w, dz, k1, { weight: true, input: true });
 */
export function denseBackward(
  ctx: EmitContext, conv: ConvLayer, x: string, w: string, dz: string, k1: string,
  want: { readonly weight: boolean; readonly input: boolean },
): { dw?: string; dx?: string } {
  const { ops } = ctx;
  const C = conv.outChannels;
  const perGroup = conv.inChannels / conv.groups;
  const k = conv.kernel;
  const [h, wd] = conv.inputSize;
  const [oh, ow] = conv.outputSize;
  const out: { dw?: string; dx?: string } = {};
  if (want.weight) {
    // [N·C_in, k·k, H', W'] → [N, C_in·k·k, L]
    const patches = ops.g.node('Conv', [ops.reshape(x, [-1, 1, h, wd]), ctx.im2col(k)], { ...convAttributes(conv), group: { int: 1 } });
    const cols = ops.reshape(patches, [-1, perGroup * k * k, oh * ow]);
    const dz3 = ops.reshape(dz, [-1, C, oh * ow]); // [N, C_out, L]
    const raw = C < NARROW // [C_out, C_in·k·k]
      ? ops.transpose(batchSum(ctx, ops.matmul(cols, ops.transposeLast(dz3)), [perGroup * k * k, C]), [1, 0])
      : batchSum(ctx, ops.matmul(dz3, ops.transposeLast(cols)), [C, perGroup * k * k]);
    out.dw = ops.reshape(ops.mul(raw, ops.reshape(k1, [C, 1])), [C, perGroup, k, k]);
  }
  if (want.input) {
    const wk = ops.mul(w, ops.reshape(k1, [C, 1, 1, 1])); // [C_out, C_in, k, k]
    out.dx = conv.stride === 1 && conv.groups === 1 ? flippedConv(ctx, conv, dz, wk) : transposedConv(ctx, conv, dz, wk);
  }
  return out;
}
