/**
 * An expanding 1×1 convolution followed by batch norm in training mode, without ever forming
 * the pre-norm map z = W·x over the wide output, forward or backward.
 * Forward: the batch statistics of z come from the narrow input's, mean(z) = W·mean(x) and
 * var(z) = diag(W·Cov(x)·Wᵀ) with Cov(x) the centred Gram matrix over the batch, so batch norm
 * folds into the convolution: y = (diag(γ/σ)·W)·x + (β − γ·μ/σ), one Conv with bias.
 * Backward:
 *   dX = W_kᵀ·dy + (Wᵀ·diag(k1·a)·W)·x + Wᵀ·(k1·b)
 *   dW = diag(k1)·(Σ dy·xᵀ + diag(a)·W·G + b ⊗ Σx),  G = Σ x·xᵀ
 * Everything beyond the GEMMs that any 1×1 layer does is C_in-sized: for b0's expansions
 * (C_out = 6·C_in) that replaces passes over the wide map with a few over the narrow one.
 */
import type { BatchNormLayer, ConvLayer } from '../../arch/network.js';
import { type BatchStatistics, inverseStd } from './batchNorm.js';
import type { BatchCount, EmitContext } from './context.js';
import { channelSum } from './reduce.js';

/**
 * Whether `conv` qualifies: 1×1, no groups, wider out than in (the fold costs C_in² per
 * pixel), on maps of 28×28 or more (measured: 61 → 51 ms at 112², 13 → 10 ms at 28², no gain
 * at 14² where the small GEMMs' overhead dominates; with the forward fold too, b0 at 224 px
 * batch 8: BatchNormalization −3.7 ms at 14², MatMul and ReduceSum +3.7).
 *
 * @example
 * expands(block.expand.conv) // true for b0's block 1: 16 → 96 at 112×112
 */
export function expands(conv: ConvLayer): boolean {
  const pixels = conv.inputSize[0] * conv.inputSize[1];
  return conv.kernel === 1 && conv.groups === 1 && conv.stride === 1 && conv.inChannels < conv.outChannels && pixels >= 28 * 28;
}

/** What the folded forward leaves for the backward: the input's Gram matrix and sums. */
export interface ExpansionForward extends BatchStatistics {
  /** Σ x·xᵀ over the batch and pixels, [C_in, C_in]. */
  readonly gram: string;
  /** Σ x per input channel, [C_in]. */
  readonly sumX: string;
}

/**
 * The forward of an expanding 1×1 convolution and its training-mode batch norm as one Conv
 * with folded weights and bias, the statistics read off the input's centred Gram matrix (no
 * E[z²] − E[z]² cancellation: the centring is on the narrow map). Hands over its batch statistics.
 *
 * @example
 * const { y, mean, variance, rstd, gram, sumX } = expansionForward(ctx, conv, bn, x, w, { gamma, beta }, ctx.count(h * w));
 */
export function expansionForward(
  ctx: EmitContext, conv: ConvLayer, bn: BatchNormLayer, x: string, w: string, { gamma, beta }: { readonly gamma: string; readonly beta: string }, count: BatchCount,
): ExpansionForward {
  const { ops } = ctx;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const L = conv.inputSize[0] * conv.inputSize[1];
  const w2 = ops.reshape(w, [C, cin]); // [C_out, C_in]
  const sumX = channelSum(ctx, x, conv.inputSize); // [C_in]
  const meanX = ops.mul(sumX, count.inverse); // [C_in]
  const centred = ops.sub(ops.reshape(x, [-1, cin, L]), ops.reshape(meanX, [1, cin, 1])); // [N, C_in, L]
  const centredGram = ops.sum(ops.matmul(centred, ops.transposeLast(centred)), [0]); // Σ (x − μ)(x − μ)ᵀ, [C_in, C_in]
  const mean = ops.reshape(ops.matmul(w2, ops.reshape(meanX, [cin, 1])), [C]); // W·μ_x, [C_out]
  const variance = ops.sum(ops.mul(ops.matmul(w2, ops.mul(centredGram, count.inverse)), w2), [1]); // diag(W·Cov·Wᵀ), [C_out]
  const rstd = inverseStd(ctx, variance, bn); // [C_out]
  const scale = ops.mul(gamma, rstd); // [C_out]
  const folded = ops.reshape(ops.mul(w2, ops.reshape(scale, [C, 1])), [C, cin, 1, 1]);
  const y = ops.g.node('Conv', [x, folded, ops.sub(beta, ops.mul(scale, mean))], {}, bn.name); // [N, C_out, H, W]
  ctx.batchStatistics({ bn, mean, variance, perSample: count.perSample });
  const gram = ops.add(centredGram, ops.mul(ops.reshape(sumX, [cin, 1]), ops.reshape(meanX, [1, cin]))); // Σ x·xᵀ
  return { y, mean, variance, rstd, gram, sumX };
}

/**
 * Σ dy·xᵀ [C_out, C_in] (the weight gradient's first term) and, read off it, the batch-norm
 * backward's Σ dy·z [C_out]: z = W·x, so Σ dy·z = Σ_i W[:, i]·(Σ dy·xᵀ)[:, i], C_out·C_in
 * products instead of a Mul and a ReduceSum over the wide map.
 *
 * @example
 * const { dyx, dotZ } = expansionDot(ctx, conv, x, w, dy); // dotZ: [C_out]
 */
export function expansionDot(ctx: EmitContext, conv: ConvLayer, x: string, w: string, dy: string): { dyx: string; dotZ: string } {
  const { ops } = ctx;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const L = conv.inputSize[0] * conv.inputSize[1];
  const dyx = ops.sum(ops.matmul(ops.reshape(dy, [-1, C, L]), ops.transposeLast(ops.reshape(x, [-1, cin, L]))), [0]); // [C_out, C_in]
  return { dyx, dotZ: ops.sum(ops.mul(ops.reshape(w, [C, cin]), dyx), [1]) };
}

/**
 * Emits dW and dX of an expanding 1×1 convolution from dy [N, C_out, H, W] and the batch-norm
 * backward's per-channel a, b, k1 [C_out] (the true dz is k1·(dy + a·z + b)); `dyx` is
 * expansionDot's Σ dy·xᵀ and `forward` expansionForward's Gram matrix and sums (needed for dW).
 *
 * @example
 * const { dw, dx } = expansionBackward(ctx, conv, x, w, dy, a, b, k1, { weight: true, input: true }, dyx, forward);
 */
export function expansionBackward(
  ctx: EmitContext, conv: ConvLayer, x: string, w: string, dy: string, a: string, b: string, k1: string,
  want: { readonly weight: boolean; readonly input: boolean }, dyx: string, forward: Pick<ExpansionForward, 'gram' | 'sumX'>,
): { dw?: string; dx?: string } {
  const { ops } = ctx;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const [h, wd] = conv.inputSize;
  const column = (v: string, n: number) => ops.reshape(v, [n, 1]);
  const w2 = ops.reshape(w, [C, cin]); // [C_out, C_in]
  const x3 = ops.reshape(x, [-1, cin, h * wd]); // [N, C_in, L]
  const dy3 = ops.reshape(dy, [-1, C, h * wd]); // [N, C_out, L]
  const out: { dw?: string; dx?: string } = {};
  if (want.weight) {
    const { gram } = forward; // Σ x·xᵀ, [C_in, C_in]
    const sumX = ops.reshape(forward.sumX, [1, cin]); // [1, C_in]
    const raw = ops.add(ops.add(dyx, ops.mul(column(a, C), ops.matmul(w2, gram))), ops.mul(column(b, C), sumX));
    out.dw = ops.reshape(ops.mul(raw, column(k1, C)), [C, cin, 1, 1]);
  }
  if (want.input) {
    const wkT = ops.transpose(ops.mul(w2, column(k1, C)), [1, 0]); // W_kᵀ, [C_in, C_out]
    const fold = ops.matmul(ops.transpose(ops.mul(w2, column(ops.mul(k1, a), C)), [1, 0]), w2); // Wᵀ·diag(k1·a)·W, [C_in, C_in]
    const shift = ops.matmul(ops.transpose(w2, [1, 0]), column(ops.mul(k1, b), C)); // Wᵀ·(k1·b), [C_in, 1]
    const dx3 = ops.add(ops.add(ops.matmul(wkT, dy3), ops.matmul(fold, x3)), shift); // [N, C_in, L]
    out.dx = ops.reshape(dx3, [-1, cin, h, wd]);
  }
  return out;
}
