/**
 * Convolution padding. Two styles exist because the two weight families were trained with them:
 * `same` (TensorFlow's rule, used by the reference and timm's `tf_` models) pads asymmetrically,
 * computed once from the configured image size; `symmetric` pads k//2 on every side
 * (torchvision and timm's PyTorch-trained models).
 */

export type PaddingStyle = 'same' | 'symmetric';
export const PADDING_STYLES: readonly PaddingStyle[] = ['same', 'symmetric'];

/** [before, after] along one axis. */
export type AxisPadding = readonly [number, number];

/**
 * TF "same" padding along one axis: pad_total = max((ceil(i/s)−1)·s + (k−1)·d + 1 − i, 0),
 * with pad_total//2 before and the rest after.
 *
 * @example
 * samePadding(224, 3, 2) // [0, 1]
 */
export function samePadding(inputSize: number, kernel: number, stride: number, dilation = 1): AxisPadding {
  const outputSize = Math.ceil(inputSize / stride);
  const total = Math.max((outputSize - 1) * stride + (kernel - 1) * dilation + 1 - inputSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Padding along one axis for either style.
 *
 * @example
 * axisPadding('symmetric', 112, 5, 2) // [2, 2]
 */
export function axisPadding(style: PaddingStyle, inputSize: number, kernel: number, stride: number): AxisPadding {
  if (style === 'same') return samePadding(inputSize, kernel, stride);
  const half = Math.floor(kernel / 2);
  return [half, half];
}

/** Output length of a convolution along one axis. */
export function convOutputSize(inputSize: number, kernel: number, stride: number, padding: AxisPadding): number {
  return Math.floor((inputSize + padding[0] + padding[1] - kernel) / stride) + 1;
}
