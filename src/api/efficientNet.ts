/**
 * The package's `EfficientNet`: the model (src/model) with the image tasks on top. The tasks
 * are typed against `ImageModel` and never import this class; it imports them.
 */
import type { ImageInput } from '../data/decode.js';
import type { LabelledDataset } from '../finetune/dataset.js';
import type { FitResult } from '../finetune/fit.js';
import type { FitOptions } from '../finetune/options.js';
import { EfficientNetModel } from '../model/efficientNetModel.js';
import { type ImageRunOptions, type Prediction, classifyImages, embedImages } from '../pipeline/classify.js';
import type { FloatBatch } from '../runtime/inputs.js';
import { calibrationBatches, spread } from '../pipeline/calibration.js';
import type { QuantizeOptions } from '../runtime/quantize/int8.js';

export interface ImageQuantizeOptions extends QuantizeOptions, ImageRunOptions {
  /** Images to measure activation ranges on (paths, encoded bytes, raw pixels): the user's own kind of images. */
  readonly calibration: readonly ImageInput[];
  /** Use this many of them, spread evenly over the list. Default: all. */
  readonly count?: number;
}

/**
 * An EfficientNet with weights, runnable on onnxruntime: tensors in and out (see
 * `EfficientNetModel`), and images in: classify, embed, fine-tune.
 *
 * @example
 * const net = await EfficientNet.fromWeights('efficientnet-b0.safetensors');
 * const top = await net.classify('cat.jpg', { topK: 3 }); // [{ index, label, probability }, ...]
 */
export class EfficientNet extends EfficientNetModel {
  /**
   * Top-k classes of an image (path, encoded bytes or raw RGB pixels), or of each of several.
   *
   * @example
   * const top = await net.classify('cat.jpg', { topK: 3 }); // [{ index, label, probability }, ...]
   */
  classify(input: ImageInput, options?: ImageRunOptions & { topK?: number }): Promise<Prediction[]>;
  classify(input: readonly ImageInput[], options?: ImageRunOptions & { topK?: number }): Promise<Prediction[][]>;
  classify(input: ImageInput | readonly ImageInput[], options: ImageRunOptions & { topK?: number } = {}): Promise<Prediction[] | Prediction[][]> {
    return classifyImages(this, input, options);
  }

  /**
   * Pooled features [N, C] of images (paths, encoded bytes, raw pixels) or of an NCHW batch.
   *
   * @example
   * const { data, dims } = await net.embed(['a.jpg', 'b.jpg']); // dims [2, 1280]
   */
  async embed(input: ImageInput | readonly ImageInput[] | FloatBatch, options: ImageRunOptions = {}): Promise<FloatBatch> {
    if (isFloatBatch(input)) return this.pooledFeatures(input);
    return embedImages(this, input, options);
  }

  /**
   * The int8 model, calibrated on images; same API (forward, classify, embed, export, save).
   * The same images in the same order give the same model.
   *
   * @example
   * const int8 = await net.quantize({ calibration: files, method: 'percentile', count: 100 });
   * await int8.save('b0-int8.safetensors'); // loads back as int8, without calibrating again
   */
  async quantize(options: ImageQuantizeOptions): Promise<this> {
    const images = spread(options.calibration, options.count ?? options.calibration.length);
    return this.quantizeBatches(calibrationBatches(this, images, options), options);
  }

  /**
   * Fine-tunes on a labelled image dataset (see `fit` in src/finetune/fit.ts): a new head for its
   * classes, then the head only, the last N stages or everything. Returns a new model.
   *
   * @example
   * const { model } = await net.fit(await imageFolder('flowers'), { epochs: 3, freeze: 'head', validation: { split: 0.1 } });
   */
  async fit(dataset: LabelledDataset, options: FitOptions): Promise<FitResult<this>> {
    const { fit } = await import('../finetune/fit.js'); // loaded on first use: inference never pays for training code
    return fit(this, dataset, options);
  }
}

/**
 * True for an NCHW float batch (`{ data: Float32Array, dims }`), as opposed to an image input.
 *
 * @example
 * isFloatBatch({ data: new Float32Array(3), dims: [1, 3, 1, 1] }) // true
 */
export function isFloatBatch(value: unknown): value is FloatBatch {
  return typeof value === 'object' && value !== null && 'dims' in value && (value as FloatBatch).data instanceof Float32Array;
}
