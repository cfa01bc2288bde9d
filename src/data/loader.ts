/**
 * A prefetching batch loader: images are decoded (in libvips' thread pool) and preprocessed ahead
 * of the consumer, with a bounded number in flight, so a model run on one batch overlaps the
 * decoding of the next. Bad images are reported with the batch and skipped, never fatal.
 */
import { ConfigError } from '../errors.js';
import { platform } from '../platform/index.js';
import type { DecodeOptions } from './decode.js';
import { checkConfig, preprocessImage } from './preprocess.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import { stackBatch, type BatchTensor, type ImageTensor } from './tensor.js';

export interface LoaderOptions extends DecodeOptions {
  /** Images per batch (the last batch may be smaller). Default 8. */
  readonly batchSize?: number;
  /** Most images being decoded at once; default twice the core count, at least one batch. */
  readonly inFlight?: number;
}

export interface ImageBatch<T> extends BatchTensor {
  /** The items in this batch, in `data` order. */
  readonly items: readonly T[];
  /** Items that failed since the previous batch (their error names the file), in input order. */
  readonly failed: readonly { readonly item: T; readonly error: Error }[];
}

/**
 * Yields [N, C, H, W] batches of `items` in input order. Items are image paths (or buffers)
 * unless `load` is given to turn them into tensors, e.g. with augmentation for training. A final
 * batch with no images is still yielded when only failures remain, so none is lost.
 *
 * @example
 * for await (const batch of loadBatches(files, preset('torchvision', 'b0'), { batchSize: 16 })) {
 *   const logits = await model.run(batch.data, batch.dims); // while the next batch decodes
 * }
 */
export async function* loadBatches<T = string>(
  items: readonly T[],
  config: PreprocessConfig,
  options: LoaderOptions = {},
  load: (item: T) => Promise<ImageTensor> = (item) => preprocessImage(item as unknown as string, config, options),
): AsyncGenerator<ImageBatch<T>> {
  checkConfig(config);
  const batchSize = options.batchSize ?? 8;
  const inFlight = Math.max(options.inFlight ?? platform().parallelism * 2, batchSize);
  for (const [name, value] of [['batchSize', batchSize], ['inFlight', inFlight]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got ${value}`);
  }
  type Settled = { item: T; tensor?: ImageTensor; error?: Error };
  const pending: Promise<Settled>[] = [];
  let next = 0;
  const refill = () => {
    while (next < items.length && pending.length < inFlight) {
      const item = items[next++];
      // Settle every promise at once so that a failure waiting in the queue is never unhandled.
      pending.push(load(item).then((tensor) => ({ item, tensor }), (error: Error) => ({ item, error })));
    }
  };
  let tensors: ImageTensor[] = [];
  let batchItems: T[] = [];
  let failed: { item: T; error: Error }[] = [];
  refill();
  while (pending.length > 0) {
    const settled = await pending.shift()!;
    refill();
    if (settled.error) failed.push({ item: settled.item, error: settled.error });
    else {
      tensors.push(settled.tensor!);
      batchItems.push(settled.item);
    }
    const last = pending.length === 0;
    if (tensors.length === batchSize || (last && (tensors.length > 0 || failed.length > 0))) {
      yield batchOf(tensors, batchItems, failed);
      tensors = [];
      batchItems = [];
      failed = [];
    }
  }
}

function batchOf<T>(tensors: ImageTensor[], items: T[], failed: { item: T; error: Error }[]): ImageBatch<T> {
  if (tensors.length === 0) return { data: new Float32Array(0), dims: [0, 0, 0, 0], items, failed };
  return { ...stackBatch(tensors), items, failed };
}
