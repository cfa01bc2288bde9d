/**
 * `evaluate(net, folder)`: runs a labelled image folder through the model and measures it.
 * Batches come from the prefetching loader, so decoding the next batch overlaps inference on
 * this one; only each image's prediction and rank are kept, never its scores, so memory stays
 * flat on large validation sets.
 */
import { imageFolder, type ImageFolderDataset, type LabelledImage } from '../data/imageFolder.js';
import { loadBatches } from '../data/loader.js';
import { preprocessImage } from '../data/preprocess.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import type { SkippedPath } from '../data/imagePaths.js';
import { ConfigError } from '../errors.js';
import type { ImageModel } from '../model/imageModel.js';
import { modelLabels } from '../pipeline/classify.js';
import { matchClasses } from './classes.js';
import { argmax, computeMetrics, targetRank, type Metrics } from './metrics.js';
import { decodeChannels } from '../data/defaults.js';

export interface EvaluateOptions {
  /** Images per engine call. Default 8. */
  readonly batchSize?: number;
  /** k of the top-k accuracy. Default 5, or the number of classes when fewer; larger is an error. */
  readonly topK?: number;
  /** Overrides of the model's evaluation transform (resize, crop, interpolation, mean, std). */
  readonly preprocess?: Partial<PreprocessConfig>;
  /** Called after every batch, e.g. for a progress bar; `failed` are this batch's unreadable images. */
  readonly onBatch?: (progress: { readonly done: number; readonly total: number; readonly failed: readonly SkippedPath[] }) => void;
}

export interface Evaluation extends Metrics {
  /** The dataset folder. */
  readonly root: string;
  /** How class folders were matched to model outputs (see `matchClasses`). */
  readonly matchedBy: 'name' | 'index';
  /** Images that could not be decoded; they count in no metric. */
  readonly failed: readonly SkippedPath[];
  /** Files below class folders that are not images by extension. */
  readonly skipped: readonly SkippedPath[];
}

/**
 * Top-1, top-k, per-class accuracy and precision and the confusion matrix of `net` on an image
 * folder (`root/<class>/<image>`, or a dataset from `imageFolder`). Unreadable images are listed
 * in `failed` rather than thrown, so one bad file does not cost a long run.
 *
 * @example
 * const result = await evaluate(net, 'flowers/val', { batchSize: 16 });
 * console.log(result.top1, result.topK, result.classes.map((c) => `${c.name} ${c.accuracy}`));
 */
export async function evaluate(net: ImageModel, dataset: ImageFolderDataset | string, options: EvaluateOptions = {}): Promise<Evaluation> {
  const [evaluation] = await evaluateModels([net], dataset, options);
  return evaluation;
}

/**
 * `evaluate` for several models on one pass over the folder, with the first one's class names
 * and evaluation transform for all (an int8 model and its float original share both): each
 * batch is decoded once and run through every model. `onLogits` sees each batch's logits, one
 * [n, K] array per model (e.g. to compare them).
 *
 * @example
 * const [int8Result, fp32Result] = await evaluateModels([int8, fp32], 'flowers/val');
 */
export async function evaluateModels(
  models: readonly ImageModel[], dataset: ImageFolderDataset | string, options: EvaluateOptions = {},
  onLogits?: (logits: readonly Float32Array[], count: number) => void,
): Promise<Evaluation[]> {
  const net = models[0];
  const numClasses = net.config.numClasses;
  if (models.some((m) => !m.config.includeTop)) throw new ConfigError('The model has no classifier (includeTop is false); evaluation needs class scores');
  if (models.some((m) => m.config.numClasses !== numClasses)) throw new ConfigError(`The models have different numbers of classes (${models.map((m) => m.config.numClasses).join(', ')}); they cannot be evaluated side by side`);
  const k = options.topK ?? Math.min(5, numClasses);
  if (!Number.isInteger(k) || k < 1 || k > numClasses) throw new ConfigError(`top-k must be an integer from 1 to the model's ${numClasses} classes, got ${k}`);
  const data = typeof dataset === 'string' ? await imageFolder(dataset, { minClasses: 1 }) : dataset;
  const mapping = matchClasses(data.classes, net.labels, numClasses, await modelLabels(net));
  for (const m of models) m.expectImageDecoding();
  const config = { ...net.preprocess, ...options.preprocess };
  const results = models.map(() => ({ targets: [] as number[], predictions: [] as number[], ranks: [] as number[] }));
  const failed: SkippedPath[] = [];
  let done = 0;
  const load = { batchSize: options.batchSize ?? 8, channels: decodeChannels(net.config) } as const;
  const decode = (item: LabelledImage) => preprocessImage(item.image ?? item.path, config, { ...load, name: item.path });
  for await (const batch of loadBatches(data.samples, config, load, decode)) {
    const batchFailed = batch.failed.map(({ item, error }) => ({ path: item.path, reason: error.message }));
    failed.push(...batchFailed);
    if (batch.items.length > 0) {
      const logits: Float32Array[] = [];
      for (const m of models) logits.push((await m.forward(batch)).data); // [n, numClasses] each
      onLogits?.(logits, batch.items.length);
      logits.forEach((scores, m) => batch.items.forEach((item, i) => {
        const row = scores.subarray(i * numClasses, (i + 1) * numClasses);
        const target = mapping.targets[item.label];
        results[m].targets.push(target);
        results[m].predictions.push(argmax(row));
        results[m].ranks.push(targetRank(row, target));
      }));
    }
    done += batch.items.length + batch.failed.length;
    options.onBatch?.({ done, total: data.samples.length, failed: batchFailed });
  }
  return results.map((r) => ({ root: data.root, matchedBy: mapping.matchedBy, ...computeMetrics(r, mapping.names, k), failed, skipped: data.skipped }));
}
