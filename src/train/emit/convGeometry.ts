/**
 * The geometry of a convolution layer's forward and backward nodes: its ONNX attributes, the
 * padding the forward leaves unread, and the filter and padding of the input gradient (a
 * ConvTranspose for strided layers, or a correlation with the spatially flipped filter: of dz at
 * stride 1, of dz spread out by the stride, s − 1 zeros after each value, at any stride).
 * The depthwise and dense rules share them.
 */
import type { ConvLayer } from '../../arch/network.js';
import type { Attribute } from '../../runtime/onnx/graph.js';
import type { EmitContext } from './context.js';
import type { Ops } from './ops.js';

/** Conv attributes of `layer` (ONNX pads [top, left, bottom, right]). *
 * @example
 * g.node('Conv', [x, w], convAttributes(layer));
 */
export function convAttributes(layer: ConvLayer, pads: readonly number[] = layer.pads): Record<string, Attribute> {
  return {
    kernel_shape: { ints: [layer.kernel, layer.kernel] },
    strides: { ints: [layer.stride, layer.stride] },
    pads: { ints: pads },
    group: { int: layer.groups },
  };
}

/**
 * Padded rows and columns the forward never reads (fewer than the stride): where the input
 * gradient needs ConvTranspose's output_padding and the filter gradient trims its padding.
 *
 * @example
 * unreadPadding(layer) // [0, 0] for every stride-1 layer
 */
export function unreadPadding(layer: ConvLayer): [number, number] {
  const [h, w] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const [top, left, bottom, right] = layer.pads;
  return [h + top + bottom - ((oh - 1) * layer.stride + layer.kernel), w + left + right - ((ow - 1) * layer.stride + layer.kernel)];
}

/**
 * The input gradient of a strided convolution: ConvTranspose of dz [N, C_out, H', W'] with the
 * (k1-scaled) filter; the unread padded rows come back as output_padding (zeros).
 *
 * @example
 * const dx = transposedConv(ctx, layer, dz, wk); // [N, C_in, H, W]
 */
export function transposedConv(ctx: EmitContext, layer: ConvLayer, dz: string, w: string): string {
  return ctx.ops.g.node('ConvTranspose', [dz, w], { ...convAttributes(layer), output_padding: { ints: unreadPadding(layer) } });
}


/**
 * w [O, I, k, k] reversed along both spatial axes: the stride-1 input gradient correlates dz
 * with it.
 *
 * @example
 * const flipped = flippedFilter(ops, wk); // [C, 1, k, k]
 */
export function flippedFilter(ops: Ops, w: string): string {
  const lowest = -(2 ** 31);
  return ops.g.node('Slice', [w, ops.ints([-1, -1]), ops.ints([lowest, lowest]), ops.ints([2, 3]), ops.ints([-1, -1])]);
}

/**
 * Conv attributes of the stride-1 input gradient: `layer`'s, padded by k − 1 − p on each side so
 * that dz [N, C_out, H, W] ⋆ flipped filter gives [N, C_in, H, W].
 *
 * @example
 * g.node('Conv', [dz, flippedFilter(ops, wk)], flippedPadAttributes(layer));
 */
export function flippedPadAttributes(layer: ConvLayer): Record<string, Attribute> {
  const k = layer.kernel;
  return convAttributes(layer, layer.pads.map((p) => k - 1 - p));
}

/**
 * Conv attributes of the input gradient as a stride-1 correlation of the spread-out dz (dz[i]
 * at s·i, s − 1 zeros after each value: [s·H', s·W']) with the flipped filter, giving
 * [H, W]: k − 1 − top before, H − s·H' + top after (the rows past the last value of dz that
 * the input still has). Undefined where a pad would be negative (a forward that pads more after
 * than its filter reaches), which ConvTranspose takes instead.
 *
 * @example
 * spreadPadAttributes(layer) // b0's stage 3 (5×5, stride 2, 56² → 28², pads 2): pads [2, 2, 2, 2]
 */
export function spreadPadAttributes(layer: ConvLayer): Record<string, Attribute> | undefined {
  const { kernel: k, stride: s } = layer;
  const [top, left] = layer.pads;
  const [h, w] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const pads = [k - 1 - top, k - 1 - left, h - s * oh + top, w - s * ow + left];
  if (pads.some((p) => p < 0)) return undefined;
  return { ...convAttributes(layer, pads), strides: { ints: [1, 1] } };
}
