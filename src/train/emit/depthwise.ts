/**
 * Depthwise convolution, forward and backward, on onnxruntime's blocked (NCHWc) CPU kernel
 * when the block divides the channels: that kernel takes the filter as an input (in OIHWBo
 * order) and runs 2–10× faster than the generic grouped Conv. The blocked copies of the input
 * (forward) and of dz (backward) are shared: the blocked layout of [N, C, H, W] is exactly
 * that of [1, N·C, H, W] and of an OIHWBo filter [N·C, 1, H, W], so the filter gradient
 * dW[c] = Σ_n x[n, c] ⋆ dz[n, c] is one more blocked Conv with no further copy.
 *
 * That Conv's group N·C is an attribute, so it fixes N. A graph whose batch is symbolic takes
 * it at the batch size it expects and, at any other, a Scan over the samples (one group-C
 * blocked Conv each, on slices of the same blocked copies), chosen by an If on N: at the
 * expected size the step runs the same kernels as a graph built for that size. The N-free forms
 * alone were slower at the full batch in the step's per-node profile: the samples stacked along
 * the height (one depthwise Conv, but a transposed, padded copy of x and dz per layer) and the
 * Scan (a subgraph run per sample, which tells at small maps and large batches).
 *
 * The input gradient is the blocked Conv of dz with the flipped filter: at stride 1 directly,
 * at stride s over dz spread out by s (zeros between its values), written by one Pad of the
 * blocked dz; ConvTranspose (per sample and channel, a GEMM and col2im) remains for the largest
 * maps and where the blocked kernel does not run.
 */
import type { ConvLayer } from '../../arch/network.js';
import { type Attribute, NCHWC_DOMAIN } from '../../runtime/onnx/graph.js';
import type { EmitContext } from './context.js';
import { blockedConv, blocks, fromBlocked, toBlocked } from './blocked.js';
import { convAttributes, flippedFilter, flippedPadAttributes, spreadPadAttributes, transposedConv, unreadPadding } from './convGeometry.js';
import { Ops } from './ops.js';

/** What the forward leaves for the backward. */
export interface DepthwiseForward {
  /** [N, C, H', W'] */
  readonly y: string;
  /** The input in blocked layout, when the blocked kernel ran. */
  readonly blockedInput?: string;
  /** The output in blocked layout (before its ReorderOutput), when the blocked kernel ran. */
  readonly blockedOutput?: string;
}

/** [C, 1, k, k] → OIHWBo [C/B, 1, k·k, B] (shape kept): each block of B channels interleaved per tap. */
function blockedFilter(ctx: EmitContext, w: string, channels: number, k: number): string {
  const { ops } = ctx;
  const b = ctx.nchwcBlock;
  return ops.reshape(ops.transposeLast(ops.reshape(w, [channels / b, b, k * k])), [channels, 1, k, k]);
}

/**
 * The forward depthwise convolution x [N, C, H, W] → [N, C, H', W'].
 *
 * @example
 * const { y, blockedInput } = depthwiseForward(ctx, x, w, block.depthwise.conv);
 */
export function depthwiseForward(ctx: EmitContext, x: string, w: string, layer: ConvLayer): DepthwiseForward {
  const C = layer.outChannels;
  const g = ctx.ops.g;
  if (!blocks(ctx, C)) return { y: g.node('Conv', [x, w], convAttributes(layer), layer.name) };
  const blockedInput = toBlocked(g, x);
  const blockedOutput = blockedConv(g, blockedInput, blockedFilter(ctx, w, C, layer.kernel), convAttributes(layer));
  return { y: fromBlocked(g, blockedOutput, C), blockedInput, blockedOutput };
}

/** Whether the filter gradient may take a form that depends on N (the graph fixes N, or the provider runs the If between forms). */
function correlatesPerBatch(ctx: EmitContext): boolean {
  return ctx.expectedBatch?.fixed === true || ctx.forms.controlFlow;
}

/**
 * Whether the caller hands the backward dz blocked: the backward then runs on blocked tensors
 * only (stride 1, the blocked kernel and its filter-gradient form, a filter gradient that fits
 * the padding; a strided layer's ConvTranspose reads dz plain), and the map is 28×28 or more:
 * below that the pass saved is small beside the nodes added, so small images keep the plain form
 * (`npm run bench -- train` times both regimes).
 *
 * @example
 * if (takesBlockedGradient(ctx, layer, forward)) dzBlocked = ...; // [N, C, H, W] blocked
 */
export function takesBlockedGradient(ctx: EmitContext, layer: ConvLayer, forward: DepthwiseForward): boolean {
  const [unreadRows, unreadCols] = unreadPadding(layer);
  const [h, w] = layer.outputSize;
  const fits = unreadRows <= layer.pads[2] && unreadCols <= layer.pads[3];
  return forward.blockedOutput !== undefined && layer.stride === 1 && fits && correlatesPerBatch(ctx) && h * w >= 28 * 28;
}

/**
 * Per-channel sums [C] of a blocked [N, C, H, W] map, whose memory is [N·C/B, H·W, B]: the
 * pixels first (a reduction onnxruntime runs fast: kept, reduced, kept axes), then the batch.
 * One ReduceSum over axes (0, 2) of [N, C/B, H·W, B] takes onnxruntime's slow general path.
 *
 * @example
 * const s = blockedChannelSum(ctx, ctx.ops.mul(gb, zb), layer); // Σ g·z, [C]
 */
export function blockedChannelSum(ctx: EmitContext, xb: string, layer: ConvLayer): string {
  const { ops } = ctx;
  const [h, w] = layer.outputSize;
  const perMap = ops.sum(ops.reshape(xb, [-1, h * w, ctx.nchwcBlock]), [1]); // [N·C/B, B]
  return ops.sum(ops.reshape(perMap, [-1, layer.outChannels]), [0]); // [C]
}

/**
 * a·x + b + sum per channel on blocked maps in one pass: the blocked 1×1 depthwise Conv with
 * bias b and the blocked kernel's Sum input (a, b [C]; x, sum blocked [N, C, H, W]).
 *
 * @example
 * const dzb = blockedAffineSum(ctx, zb, a, b, gb, layer); // g + a·z + b, blocked
 */
export function blockedAffineSum(ctx: EmitContext, xb: string, a: string, b: string, sum: string, layer: ConvLayer): string {
  const C = layer.outChannels;
  const attributes: Record<string, Attribute> = { kernel_shape: { ints: [1, 1] }, strides: { ints: [1, 1] }, pads: { ints: [0, 0, 0, 0] }, group: { int: C } };
  return ctx.ops.g.nodeMulti('Conv', [xb, ctx.ops.reshape(a, [C, 1, 1, 1]), b, sum], 1, attributes, undefined, NCHWC_DOMAIN)[0];
}

/**
 * Gradients of a depthwise convolution given dz/k1 [N, C, H', W'] and the per-channel scale
 * k1 [C]: returns dW [C, 1, k, k] (scaled after the batch reduction) and dX (k1 folded into
 * the filter), each only when asked for. dz comes plain, or blocked where
 * takesBlockedGradient says the backward reads it blocked only.
 *
 * @example
 * const { dw, dx } = depthwiseBackward(ctx, layer, x, forward, w, { plain: dz }, k1, { weight: true, input: true });
 */
export function depthwiseBackward(
  ctx: EmitContext, layer: ConvLayer, x: string, forward: DepthwiseForward, w: string, gradient: { readonly plain: string } | { readonly blocked: string }, k1: string,
  want: { readonly weight: boolean; readonly input: boolean },
): { dw?: string; dx?: string } {
  const { ops } = ctx;
  const g = ops.g;
  const C = layer.outChannels;
  const k = layer.kernel;
  const s = layer.stride;
  const [, , bottom, right] = layer.pads;
  const [unreadRows, unreadCols] = unreadPadding(layer);
  const dz = (): string => {
    if ('plain' in gradient) return gradient.plain;
    throw new Error(`${layer.name}: this backward reads dz in plain layout (takesBlockedGradient)`);
  };
  const dzBlocked = 'blocked' in gradient ? gradient.blocked : forward.blockedInput ? toBlocked(g, dz()) : undefined;
  const out: { dw?: string; dx?: string } = {};

  if (want.weight) {
    let raw: string; // Σ_n Σ_hw x ⋆ dz, [C, k·k]
    const fits = unreadRows <= bottom && unreadCols <= right;
    const batch = ctx.expectedBatch;
    const perBatch = correlatesPerBatch(ctx); // forms may depend on N
    if (fits && forward.blockedInput && dzBlocked && perBatch) {
      // dz as the (dilated) filter over the maps: 2–12× faster than im2col.
      const xb = forward.blockedInput;
      raw = byBatch(ctx, layer, (o, n) => groupedCorrelation(o, layer, xb, dzBlocked, n, true), (o) => scannedCorrelation(o, layer, xb, dzBlocked));
    } else if (fits && (k > 3 || s > 1) && batch && perBatch) {
      // The same correlation as a grouped Conv: 2× faster than im2col for 5×5 and strided filters.
      raw = byBatch(ctx, layer, (o, n) => groupedCorrelation(o, layer, x, dz(), n, false), (o) => im2colCorrelation(o, ctx.im2col(k), layer, x, dz()));
    } else {
      raw = im2colCorrelation(ops, ctx.im2col(k), layer, x, dz());
    }
    out.dw = ops.reshape(ops.mul(raw, ops.reshape(k1, [C, 1])), [C, 1, k, k]);
  }
  if (want.input) {
    const wk = ops.mul(w, ops.reshape(k1, [C, 1, 1, 1])); // [C, 1, k, k]
    const spread = s > 1 && dzBlocked && spreadsGradient(layer) ? spreadPadAttributes(layer) : undefined;
    if (s === 1) {
      // Correlation with the spatially flipped filter: about 4× faster than ConvTranspose.
      const flipped = flippedFilter(ops, wk);
      const attributes = flippedPadAttributes(layer);
      out.dx = dzBlocked
        ? fromBlocked(g, blockedConv(g, dzBlocked, blockedFilter(ctx, flipped, C, k), attributes), C)
        : g.node('Conv', [dz(), flipped], attributes);
    } else if (dzBlocked && spread) {
      // The same correlation over dz spread out by the stride, all on blocked tensors.
      out.dx = fromBlocked(g, blockedConv(g, spreadBlocked(ctx, dzBlocked, layer), blockedFilter(ctx, flippedFilter(ops, wk), C, k), spread), C);
    } else {
      out.dx = transposedConv(ctx, layer, dz(), wk);
    }
  }
  return out;
}

/**
 * Whether a strided layer's input gradient correlates the spread-out dz rather than running
 * ConvTranspose (onnxruntime runs that per sample and channel: a GEMM, then col2im). The spread
 * form makes three passes over a map of the input's size (the zero-filled copy, the Conv, the
 * reorder out of blocked layout), which at 112² and more (b0's stage 2 at 224 px) cost more than
 * col2im; below that it is the faster (`npm run bench -- train` times both regimes). Col2Im
 * (opset 18) over the per-tap products dz·w [N, C·k², H'·W'] was slower still at 112²: best of 30
 * runs 43–46 ms against ConvTranspose's 32–33 for b0's 96-channel layer at batch 8, alone in a session.
 */
function spreadsGradient(layer: ConvLayer): boolean {
  const [h, w] = layer.inputSize;
  return h * w < 112 * 112;
}

/**
 * Blocked dz [N, C, H', W'] spread out by the stride s: the blocked layout of [N, C, s·H', s·W']
 * with dz[.., i, j] at (s·i, s·j) and zeros elsewhere. Blocked memory is [N·C/B, H', W', B], so
 * one Pad of [N·C/B, H', 1, W', 1, B] after its unit axes writes it: whole blocks of B channels
 * at a time, no reorder.
 */
function spreadBlocked(ctx: EmitContext, dzb: string, layer: ConvLayer): string {
  const { ops } = ctx;
  const s = layer.stride;
  const [oh, ow] = layer.outputSize;
  const B = ctx.nchwcBlock;
  const unit = ops.reshape(dzb, [-1, oh, 1, ow, 1, B]);
  const pads = ops.ints([0, 0, 0, 0, 0, 0, 0, 0, s - 1, 0, s - 1, 0]); // after axes 2 and 4
  return ops.reshape(ops.g.node('Pad', [unit, pads]), [-1, layer.outChannels, s * oh, s * ow]);
}

/**
 * The filter gradient in the form for the graph's batch: `grouped` at the expected size (always,
 * when the graph fixes N), `anyBatch` otherwise, and when N is symbolic both, as the branches
 * of an If on N = expected size. Each builds on the Ops it is given and returns [C, k·k].
 */
function byBatch(ctx: EmitContext, layer: ConvLayer, grouped: (ops: Ops, batch: number) => string, anyBatch: (ops: Ops) => string): string {
  const batch = ctx.expectedBatch;
  if (!batch) return anyBatch(ctx.ops);
  if (batch.fixed) return grouped(ctx.ops, batch.size);
  const g = ctx.ops.g;
  const branch = (name: string, emit: (ops: Ops) => string) => {
    const sub = g.subgraph(`${layer.name}.${name}`);
    sub.output(emit(new Ops(sub)));
    return { graph: sub };
  };
  return g.node('If', [batch.matches()], { then_branch: branch('dw_grouped', (o) => grouped(o, batch.size)), else_branch: branch('dw_per_sample', anyBatch) });
}

/**
 * Σ_n x[n, c] ⋆ dz[n, c] → [C, k·k] for any N: im2col by a one-hot k×k Conv (`kernel`, the
 * graph input [k·k, 1, k, k]) over single channels [N·C, k·k, H', W'], then one batched MatMul.
 */
function im2colCorrelation(ops: Ops, kernel: string, layer: ConvLayer, x: string, dz: string): string {
  const C = layer.outChannels;
  const k = layer.kernel;
  const [h, wd] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const patches = ops.g.node('Conv', [ops.reshape(x, [-1, 1, h, wd]), kernel], { ...convAttributes(layer), group: { int: 1 } });
  const perMap = ops.matmul(ops.reshape(patches, [-1, k * k, oh * ow]), ops.reshape(dz, [-1, oh * ow, 1])); // [N·C, k·k, 1]
  return ops.sum(ops.reshape(perMap, [-1, C, k * k]), [0]);
}

/** dz [H', W'], dilated by the stride, sliding over x's padded map: the k×k taps of the filter gradient. */
function correlation(layer: ConvLayer, group: number): Record<string, Attribute> {
  const [oh, ow] = layer.outputSize;
  const [top, left, bottom, right] = layer.pads;
  const [unreadRows, unreadCols] = unreadPadding(layer);
  return {
    kernel_shape: { ints: [oh, ow] },
    dilations: { ints: [layer.stride, layer.stride] },
    pads: { ints: [top, left, bottom - unreadRows, right - unreadCols] },
    group: { int: group },
  };
}

/**
 * Σ_n x[n, c] ⋆ dz[n, c] → [C, k·k] for a batch of exactly `batch`: one Conv over the N·C maps
 * [1, N·C, H, W] with dz as the filter [N·C, 1, H', W'] (group N·C), then the sum over N.
 */
function groupedCorrelation(ops: Ops, layer: ConvLayer, x: string, dz: string, batch: number, blocked: boolean): string {
  const C = layer.outChannels;
  const k = layer.kernel;
  const maps = batch * C;
  const [h, wd] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const [xs, filter] = [ops.reshape(x, [1, maps, h, wd]), ops.reshape(dz, [maps, 1, oh, ow])];
  const perMap = blocked ? fromBlocked(ops.g, blockedConv(ops.g, xs, filter, correlation(layer, maps)), maps) : ops.g.node('Conv', [xs, filter], correlation(layer, maps)); // [1, N·C, k, k]
  return ops.sum(ops.reshape(perMap, [-1, C, k * k]), [0]);
}

/**
 * Σ_n x[n, c] ⋆ dz[n, c] → [C, k·k] for any N: a Scan over the samples of the blocked x and dz
 * (slices, no copy), each a group-C blocked Conv [1, C, H, W] ⋆ [C, 1, H', W'] added to the sum,
 * which stays blocked until the end.
 */
function scannedCorrelation(ops: Ops, layer: ConvLayer, xb: string, dzb: string): string {
  const g = ops.g;
  const C = layer.outChannels;
  const k = layer.kernel;
  const [h, wd] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const body = g.subgraph(`${layer.name}.dw_sample`);
  const sum = body.input(`${layer.name}.dw_sum`, 'float32', [1, C, k, k]);
  const x = body.input(`${layer.name}.dw_x`, 'float32', [C, h, wd]);
  const dz = body.input(`${layer.name}.dw_dz`, 'float32', [C, oh, ow]);
  const inner = new Ops(body);
  const y = blockedConv(body, inner.reshape(x, [1, C, h, wd]), inner.reshape(dz, [C, 1, oh, ow]), correlation(layer, C)); // [1, C, k, k] blocked
  body.output(inner.add(sum, y));
  const zeros = g.floats('zeros', [1, C, k, k], new Float32Array(C * k * k));
  const [total] = g.nodeMulti('Scan', [zeros, xb, dzb], 1, { num_scan_inputs: { int: 2 }, body: { graph: body } });
  return ops.reshape(fromBlocked(g, total, C), [C, k * k]);
}
