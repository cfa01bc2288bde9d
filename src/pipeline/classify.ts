/**
 * Images in, answers out: decode and preprocess (src/data), run (the model), softmax and top-k.
 * Each stage is a plain function; the model never touches pixels, the data code never the engine.
 */
import { defaultLabels } from '../data/labels.js';
import { loadBatches } from '../data/loader.js';
import type { ImageInput } from '../data/decode.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import { ConfigError, ImageDecodeError } from '../errors.js';
import { familyKeys } from '../weights/keymaps.js';
import type { ImageModel } from '../model/imageModel.js';
import type { FloatBatch } from '../runtime/inputs.js';
import { decodeChannels } from '../data/defaults.js';
import { byScoreDescending, softmaxRows } from '../util/scores.js';

export { softmaxRows };

export interface Prediction {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

export interface ImageRunOptions {
  /** Images per engine call. Default 8. */
  batchSize?: number;
  /** Overrides of the model's evaluation transform (resize, crop, interpolation, mean, std). */
  preprocess?: Partial<PreprocessConfig>;
}

/**
 * The k most probable classes of one row, most probable first (ties by lower index, NaN last).
 *
 * @example
 * topK(new Float32Array([0.1, 0.7, 0.2]), 2, ['a', 'b', 'c']) // [{ index: 1, label: 'b', ... }, { index: 2, ... }]
 */
export function topK(probabilities: ArrayLike<number>, k: number, labels: readonly string[]): Prediction[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i).sort(byScoreDescending(probabilities));
  return order.slice(0, k).map((index) => ({ index, label: labels[index] ?? `class_${index}`, probability: probabilities[index] }));
}

/**
 * The model's class count; a headless model (no classifier: its outputs are pooled features,
 * not logits) is an error that points to `features`, since its rows cannot be classes.
 *
 * @example
 * requireClassifier(net, 'classify') // 1000
 */
export function requireClassifier(net: ImageModel, task: string): number {
  if (!net.network.fc) {
    throw new ConfigError(`Cannot ${task} with a model that has no classifier (its checkpoint has no '${familyKeys(net.family).fcWeight}'): it gives ${net.network.featureChannels} pooled features per image; use \`features\` (net.embed) for those`);
  }
  return net.config.numClasses;
}

/** The model's class names: its own, ImageNet's for 1000 classes, else `class_i`. Headless models have none. */
export async function modelLabels(net: ImageModel, task = 'classify'): Promise<readonly string[]> {
  requireClassifier(net, task);
  return net.labels ?? defaultLabels(net.config.numClasses);
}

/**
 * Runs `fn` on batches of preprocessed images, in input order; every undecodable image is
 * named in one error after the others ran.
 */
export async function mapImageBatches<R>(net: ImageModel, inputs: readonly ImageInput[], options: ImageRunOptions, fn: (batch: FloatBatch, count: number) => Promise<R[]>): Promise<R[]> {
  net.expectImageDecoding();
  const config = { ...net.preprocess, ...options.preprocess };
  const results: R[] = [];
  const failures: Error[] = [];
  const channels = decodeChannels(net.config);
  for await (const batch of loadBatches(inputs, config, { batchSize: options.batchSize ?? 8, channels })) {
    for (const { error } of batch.failed) failures.push(error);
    if (batch.items.length > 0) results.push(...(await fn(batch, batch.items.length)));
  }
  if (failures.length > 0) throw ImageDecodeError.several(failures);
  return results;
}

/**
 * Top-k classes for one image or a list of images (paths, encoded bytes or raw pixels).
 *
 * @example
 * const [best] = await classifyImages(net, 'cat.jpg', { topK: 1 }); // { index: 281, label: 'tabby', probability: 0.83 }
 */
export async function classifyImages(net: ImageModel, input: ImageInput | readonly ImageInput[], options: ImageRunOptions & { topK?: number } = {}): Promise<Prediction[] | Prediction[][]> {
  const labels = await modelLabels(net);
  const classes = net.config.numClasses;
  const inputs = Array.isArray(input) ? (input as readonly ImageInput[]) : [input as ImageInput];
  const rows = await mapImageBatches(net, inputs, options, async (batch, count) => {
    const probabilities = softmaxRows((await net.forward(batch)).data, classes);
    return Array.from({ length: count }, (_, i) => topK(probabilities.subarray(i * classes, (i + 1) * classes), options.topK ?? 5, labels));
  });
  return Array.isArray(input) ? rows : rows[0];
}

/**
 * Pooled features [N, C] for images (one row per image, in input order).
 *
 * @example
 * const { dims } = await embedImages(net, ['a.jpg', 'b.png']); // [2, 1280]
 */
export async function embedImages(net: ImageModel, input: ImageInput | readonly ImageInput[], options: ImageRunOptions = {}): Promise<FloatBatch> {
  const inputs = Array.isArray(input) ? (input as readonly ImageInput[]) : [input as ImageInput];
  const channels = net.network.featureChannels;
  const rows = await mapImageBatches(net, inputs, options, async (batch, count) => {
    const { data } = await net.pooledFeatures(batch);
    return Array.from({ length: count }, (_, i) => data.subarray(i * channels, (i + 1) * channels));
  });
  const data = new Float32Array(rows.length * channels);
  rows.forEach((row, i) => data.set(row, i * channels));
  return { data, dims: [rows.length, channels] };
}
