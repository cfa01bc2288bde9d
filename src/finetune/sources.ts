/**
 * Where each step's data comes from: decoded (and augmented) images for the training graph, or
 * pooled features for head-only training, either recomputed by the frozen backbone or read from
 * a cache filled once. All of them form batches the same way (consecutive items of the epoch's
 * order, failed images skipped), so a run can switch between them and get the same result.
 */
import { loadBatches } from '../data/loader.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import type { ImageModel } from '../model/imageModel.js';
import type { LabelledDataset } from './dataset.js';
import { trainTransform, type AugmentOptions, type TrainItem } from '../data/transforms/train.js';

/** One step's data. */
export interface SourceBatch {
  /** [N, C, H, W] images, or [N, F] pooled features. */
  readonly data: Float32Array;
  readonly labels: number[];
  /** Sample indices of the rows of `data`. */
  readonly samples: number[];
  /** Items of the epoch's order used up by this batch, failed ones included. */
  readonly consumed: number;
  readonly failed: readonly FailedSample[];
}

/** An image that could not be read, by sample index and path. */
export interface FailedSample {
  readonly sample: number;
  readonly path: string;
  readonly error: Error;
}

/** Yields the batches of `order` (sample indices), from position `start` on. */
export type Source = (order: readonly number[], start: number, epoch: number) => AsyncGenerator<SourceBatch>;

export interface SourceOptions {
  readonly batchSize: number;
  readonly inFlight?: number;
  readonly seed: number;
  readonly augment: AugmentOptions | false;
}

/**
 * Decoded images, augmented per `options.augment`, in batches [N, C, H, W].
 *
 * @example
 * for await (const b of imageSource(train, net.preprocess, 1, opts)(order, 0, 0)) await trainer.step({ input: b.data, labels: b.labels });
 */
export function imageSource(dataset: LabelledDataset, config: PreprocessConfig, channels: 1 | 3, options: SourceOptions): Source {
  const load = trainTransform(config, options.augment, channels, options.seed);
  return async function* (order, start, epoch) {
    const items: TrainItem[] = order.slice(start).map((sample) => ({ path: dataset.samples[sample].path, image: dataset.samples[sample].image, sample, epoch }));
    for await (const batch of loadBatches(items, config, { batchSize: options.batchSize, inFlight: options.inFlight, channels }, load)) {
      yield {
        data: batch.data,
        labels: batch.items.map((item) => dataset.samples[item.sample].label),
        samples: batch.items.map((item) => item.sample),
        consumed: batch.items.length + batch.failed.length,
        failed: batch.failed.map(({ item, error }) => ({ sample: item.sample, path: item.path, error })),
      };
    }
  };
}

/**
 * Pooled features [N, F] of each batch of images, from the frozen backbone's inference graph.
 *
 * @example
 * const source = featureSource(imageSource(train, net.preprocess, 3, opts), net);
 */
export function featureSource(images: Source, backbone: ImageModel): Source {
  const [c, h, w] = [backbone.config.inChannels, ...backbone.config.imageSize];
  backbone.expectImageDecoding();
  return async function* (order, start, epoch) {
    for await (const batch of images(order, start, epoch)) {
      const n = batch.labels.length;
      const data = n === 0 ? new Float32Array(0) : (await backbone.pooledFeatures({ data: batch.data, dims: [n, c, h, w] })).data;
      yield { ...batch, data };
    }
  };
}

/** Every sample's pooled features [N, F], and the images that could not be read. */
export interface FeatureCache {
  readonly features: Float32Array;
  readonly width: number;
  readonly labels: readonly number[];
  readonly failed: ReadonlyMap<number, FailedSample>;
}

/**
 * Computes every sample's features once, for head-only training without augmentation, where
 * they never change.
 *
 * @example
 * const cache = await buildFeatureCache(featureSource(imageSource(...), net), train, 1280);
 */
export async function buildFeatureCache(features: Source, dataset: LabelledDataset, width: number, onProgress?: (done: number) => void): Promise<FeatureCache> {
  const count = dataset.samples.length;
  const out = new Float32Array(count * width); // [N, F]
  const failed = new Map<number, FailedSample>();
  let done = 0;
  for await (const batch of features(Array.from({ length: count }, (_, i) => i), 0, 0)) {
    batch.samples.forEach((sample, row) => out.set(batch.data.subarray(row * width, (row + 1) * width), sample * width));
    for (const f of batch.failed) failed.set(f.sample, f);
    done += batch.consumed;
    onProgress?.(done);
  }
  return { features: out, width, labels: dataset.samples.map((s) => s.label), failed };
}

/**
 * Batches of cached features, formed exactly as the image loader forms them (a batch closes at
 * `batchSize` readable items; failures ride with the batch they were met in), so training on the
 * cache gives the same steps as recomputing.
 *
 * @example
 * const source = cachedSource(cache, 32);
 */
export function cachedSource(cache: FeatureCache, batchSize: number): Source {
  const { width } = cache;
  return async function* (order, start) {
    let samples: number[] = [];
    let failed: FailedSample[] = [];
    let consumed = 0;
    for (let i = start; i < order.length; i++) {
      const sample = order[i];
      const failure = cache.failed.get(sample);
      if (failure) failed.push(failure);
      else samples.push(sample);
      consumed++;
      if (samples.length === batchSize || (i === order.length - 1 && consumed > 0)) {
        const data = new Float32Array(samples.length * width);
        samples.forEach((s, row) => data.set(cache.features.subarray(s * width, (s + 1) * width), row * width));
        yield { data, labels: samples.map((s) => cache.labels[s]), samples, consumed, failed };
        samples = [];
        failed = [];
        consumed = 0;
      }
    }
  };
}
