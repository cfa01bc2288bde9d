/**
 * Calibration images for int8 quantization: a deterministic spread of the given images,
 * preprocessed as the model sees them, as the batches `quantizeBatches` measures.
 */
import type { ImageInput } from '../data/decode.js';
import { decodeChannels } from '../data/defaults.js';
import { loadBatches } from '../data/loader.js';
import { ConfigError, ImageDecodeError } from '../errors.js';
import type { ImageModel } from '../model/imageModel.js';
import type { FloatBatch } from '../runtime/inputs.js';
import type { ImageRunOptions } from './classify.js';

/**
 * `count` images spread evenly over `images` (image folders list class after class, so the
 * first N would often be one class); all of them when there are no more than `count`.
 *
 * @example
 * spread(['a', 'b', 'c', 'd'], 2) // ['a', 'c']
 */
export function spread<T>(images: readonly T[], count: number): T[] {
  if (images.length <= count) return [...images];
  return Array.from({ length: count }, (_, i) => images[Math.floor((i * images.length) / count)]);
}

/**
 * Preprocessed batches of the calibration images; an image that does not decode is an error
 * (naming every such file) once the others have been read, since skipping it would change the ranges silently.
 *
 * @example
 * const int8 = await net.quantizeBatches(calibrationBatches(net, files));
 */
export async function* calibrationBatches(net: ImageModel, images: readonly ImageInput[], options: ImageRunOptions = {}): AsyncGenerator<FloatBatch> {
  if (images.length === 0) throw new ConfigError('Calibration needs at least one image; the calibration set is empty');
  net.expectImageDecoding();
  const failures: Error[] = [];
  const config = { ...net.preprocess, ...options.preprocess };
  for await (const batch of loadBatches(images, config, { batchSize: options.batchSize ?? 8, channels: decodeChannels(net.config) })) {
    for (const { error } of batch.failed) failures.push(error);
    if (batch.items.length > 0) yield { data: batch.data, dims: batch.dims };
  }
  if (failures.length > 0) throw ImageDecodeError.several(failures);
}
