/** What the engine is fed: float batches, checked before they reach onnxruntime. */
import type { EfficientNetConfig } from '../arch/config.js';
import { shapeSize } from '../arch/parameters.js';
import { InputShapeError } from '../errors.js';

/** A float32 batch: data with its dimensions, e.g. NCHW `[N, C, H, W]`. */
export interface FloatBatch {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** What a network takes: its channels, and either its exact input size or any size it can reduce. */
export interface NchwExpectation {
  readonly channels?: number;
  /** [H, W] the input must have (a training graph built for one size); absent: at least MIN_SIDE. */
  readonly size?: readonly [number, number];
}

/** Smallest input side: five stride-2 stages need at least 32 pixels to keep one. */
const MIN_SIDE = 32;

/**
 * Every problem of an NCHW float32 batch, the one rule for network inputs: Float32Array data,
 * rank 4, at least one image, the expected channels and size, and as many values as the dims say.
 *
 * @example
 * nchwProblems({ data: new Float32Array(10), dims: [1, 3, 16, 16] }, { channels: 1 })
 * // ['channels 3 should be 1', 'size 16×16 should be at least 32×32', 'data has 10 values but [1, 3, 16, 16] needs 768']
 */
export function nchwProblems(x: { readonly data: unknown; readonly dims: readonly number[] }, expected: NchwExpectation = {}): string[] {
  const problems: string[] = [];
  if (!(x.data instanceof Float32Array)) problems.push('data should be a Float32Array');
  if (x.dims.length !== 4) return [...problems, `rank ${x.dims.length} should be 4 (NCHW)`];
  const [n, c, h, w] = x.dims;
  if (!(n >= 1)) problems.push(`batch ${n} should be at least 1`);
  if (expected.channels !== undefined && c !== expected.channels) problems.push(`channels ${c} should be ${expected.channels}`);
  if (expected.size && (h !== expected.size[0] || w !== expected.size[1])) problems.push(`size ${h}×${w} should be ${expected.size[0]}×${expected.size[1]}`);
  if (!expected.size && !(h >= MIN_SIDE && w >= MIN_SIDE)) problems.push(`size ${h}×${w} should be at least ${MIN_SIDE}×${MIN_SIDE}`);
  if (x.data instanceof Float32Array && x.data.length !== shapeSize(x.dims)) problems.push(`data has ${x.data.length} values but [${x.dims.join(', ')}] needs ${shapeSize(x.dims)}`);
  return problems;
}

/**
 * Checks an NCHW batch against a network, listing every problem at once; `exactSize` for
 * graphs built for the network's configured image size.
 *
 * @example
 * checkImageBatch({ data, dims: [1, 3, 224, 224] }, net.config);
 */
export function checkImageBatch(x: FloatBatch, config: EfficientNetConfig, options: { exactSize?: boolean } = {}): void {
  const problems = nchwProblems(x, { channels: config.inChannels, size: options.exactSize ? config.imageSize : undefined });
  if (problems.length > 0) throw new InputShapeError(`Invalid input [${x.dims.join(', ')}] for ${config.name}: ${problems.join('; ')}`);
}

/**
 * Checks that an array read from `path` is a float NCHW batch (channels and size are checked
 * later, against the network).
 *
 * @example
 * checkNchwFile('x.npy', await readNpy('x.npy'));
 */
export function checkNchwFile<T extends { readonly dtype: string; readonly shape: readonly number[]; readonly data: unknown }>(path: string, array: T): asserts array is T & { readonly data: Float32Array } {
  if (nchwProblems({ data: array.data, dims: array.shape }).length > 0) throw new InputShapeError(`${path} holds ${array.dtype} [${array.shape.join(', ')}]; expected float [N, C, H, W]`);
}
