/**
 * Deterministic synthetic weights: every value is a pure function of the tensor's key and the
 * element index, computed in integer arithmetic and one float64 → float32 rounding, so that
 * the oracle script (scripts/synthetic.py) and this code produce bit-identical tensors. This is
 * how full-size networks are compared with PyTorch without committing their weights.
 */
import type { ParameterRole } from '../arch/parameters.js';
import { shapeSize } from '../arch/parameters.js';
import { fnv1a32, uniformAt } from '../util/random.js';
import { type Tensor, floatTensor, int64Tensor } from './tensor.js';

/**
 * `count` values of the uniform stream for `key`, mapped by `transform` in float64 and rounded
 * once to float32.
 */
export function syntheticUniform(key: string, count: number, transform: (u: number) => number): Float32Array {
  const seed = fnv1a32(key);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = transform(uniformAt(seed, i));
  return out;
}

export type SyntheticKind = 'conv' | 'bn' | 'linear' | 'input';

/**
 * The synthetic tensor for one state-dict entry: uniform weights with variance gain / fan-in,
 * small biases and means, γ in [0.5, 1.5), variances in [0.5, 1.5).
 *
 * @example
 * syntheticTensor('_conv_stem.weight', [32, 3, 3, 3], 'conv', 'weight').data.length // 864
 */
export function syntheticTensor(key: string, shape: readonly number[], kind: SyntheticKind, role: ParameterRole | 'input', gain = 3): Tensor {
  const count = shapeSize(shape);
  if (role === 'num_batches_tracked') return int64Tensor(shape, new BigInt64Array(count));
  const signed = (scale: number) => (u: number) => (u * 2 - 1) * scale;
  const shifted = (u: number) => 0.5 + u;
  let transform: (u: number) => number;
  if (role === 'input') transform = signed(2);
  else if (kind === 'bn') transform = role === 'weight' || role === 'running_var' ? shifted : signed(0.01);
  else if (role === 'weight') transform = signed(Math.sqrt(gain / (count / shape[0]))); // fan-in = numel / out
  else transform = signed(0.1);
  return floatTensor(shape, syntheticUniform(key, count, transform));
}

/**
 * A batch [N, C, H, W] of smooth waves, different per image and channel, plus mild noise (the
 * oracle's `synthetic_images`), so that outputs depend on the image and not only on the weights.
 *
 * @example
 * syntheticImages([2, 3, 224, 224]).length // 301056
 */
export function syntheticImages(shape: readonly [number, number, number, number]): Float32Array {
  const [batch, channels, height, width] = shape;
  const seed = fnv1a32('input');
  const out = new Float32Array(batch * channels * height * width);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const fh = 1 + ((n + c) % 3);
      const fw = 1 + ((2 * n + c) % 4);
      const phase = n + c;
      const base = (n * channels + c) * height * width;
      for (let h = 0; h < height; h++) {
        for (let w = 0; w < width; w++) {
          const i = base + h * width + w;
          // Same operations in the same order as numpy, in float64, rounded once.
          out[i] = 1.5 * Math.sin(2 * Math.PI * ((fh * h) / height + (fw * w) / width) + phase) + (uniformAt(seed, i) * 2 - 1) * 0.5;
        }
      }
    }
  }
  return out;
}
