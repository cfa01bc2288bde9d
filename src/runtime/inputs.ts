/** What the engine is fed: float batches, checked before they reach onnxruntime. */
import type { EfficientNetConfig } from '../arch/config.js';
import { shapeSize } from '../arch/parameters.js';
import { InputShapeError } from '../errors.js';

/** A float32 batch: data with its dimensions, e.g. NCHW `[N, C, H, W]`. */
export interface FloatBatch {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Smallest input side: five stride-2 stages need at least 32 pixels to keep one. */
const MIN_SIDE = 32;

/**
 * Checks an NCHW batch against a network, listing every problem at once.
 *
 * @example
 * checkImageBatch({ data, dims: [1, 3, 224, 224] }, net.config);
 */
export function checkImageBatch(x: FloatBatch, config: EfficientNetConfig): void {
  const problems: string[] = [];
  if (!(x.data instanceof Float32Array)) problems.push('data should be a Float32Array');
  if (x.dims.length !== 4) problems.push(`rank ${x.dims.length} should be 4 (NCHW)`);
  else {
    const [n, c, h, w] = x.dims;
    if (!(n >= 1)) problems.push(`batch ${n} should be at least 1`);
    if (c !== config.inChannels) problems.push(`channels ${c} should be ${config.inChannels}`);
    if (!(h >= MIN_SIDE && w >= MIN_SIDE)) problems.push(`size ${h}×${w} should be at least ${MIN_SIDE}×${MIN_SIDE}`);
    if (x.data instanceof Float32Array && x.data.length !== shapeSize(x.dims)) problems.push(`data has ${x.data.length} values but [${x.dims.join(', ')}] needs ${shapeSize(x.dims)}`);
  }
  if (problems.length > 0) throw new InputShapeError(`Invalid input [${x.dims.join(', ')}] for ${config.name}: ${problems.join('; ')}`);
}
