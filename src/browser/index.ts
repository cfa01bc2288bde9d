/**
 * efficientnet-ts in the browser: the same API as in Node (src/api/index.ts), on onnxruntime-web
 * (WebGPU or wasm), with images from the page (`<img>`, canvas, ImageBitmap, ImageData,
 * Blob/File) and weights from URLs, bytes or dropped files. Built into
 * `dist/browser/efficientnet-ts.js` by `npm run build`; the package's `browser` export
 * condition points here for a user's own bundler.
 */
import './register.js'; // the browser is the platform: fetch, its decoders, onnxruntime-web, Cache Storage
import { EfficientNet as CoreEfficientNet, isFloatBatch } from '../api/efficientNet.js';
import type { FetchPretrainedOptions } from '../platform/index.js';
import type { FromWeightsOptions, ModelClass } from '../model/efficientNetModel.js';
import type { ImageRunOptions, Prediction } from '../pipeline/classify.js';
import type { FloatBatch } from '../runtime/inputs.js';
import type { FitOptions } from '../finetune/options.js';
import type { FitResult } from '../finetune/fit.js';
import { type BrowserDataset, type BrowserImageInput, type WeightsSource, toImageInputs, toLabelledDataset, weightSource } from './inputs.js';

export * from '../api/index.js';
export { configureBrowser, type BrowserSettings } from './settings.js';
export { ort, webgpuAdapter } from './engine.js';
export { browserPixels, type BrowserImage } from './images.js';
export { fetchPretrainedBytes, sha256Hex } from './weights.js';
export type { BrowserDataset, BrowserImageInput, BrowserLabelledImage, WeightsSource } from './inputs.js';

/**
 * `EfficientNet` with the browser's inputs: weights from a URL, bytes, a Blob or a File;
 * images from elements, bitmaps, ImageData and Blobs as well as the core's inputs.
 *
 * @example
 * const net = await EfficientNet.fromWeights(droppedFile, { runtime: { executionProviders: ['wasm'] } });
 * const top = await net.classify(document.querySelector('img')!, { topK: 5 });
 */
export class EfficientNet extends CoreEfficientNet {
  /**
   * Loads a checkpoint (`.pth` zip or legacy, `.safetensors`) from a URL, bytes, a Blob/File,
   * or a registry tag (fetched into Cache Storage and hash-checked).
   *
   * @example
   * const net = await EfficientNet.fromWeights('weights/efficientnet-b0.safetensors');
   */
  static override async fromWeights<M>(this: ModelClass<M>, source: WeightsSource, options: FromWeightsOptions & FetchPretrainedOptions = {}): Promise<M> {
    return CoreEfficientNet.fromWeights.call(this, await weightSource(source), options) as Promise<M>;
  }

  /**
   * Top-k classes of an image (or of each of several) from any browser source.
   *
   * @example
   * const [best] = await net.classify(canvas, { topK: 1 });
   */
  override classify(input: BrowserImageInput, options?: ImageRunOptions & { topK?: number }): Promise<Prediction[]>;
  override classify(input: readonly BrowserImageInput[], options?: ImageRunOptions & { topK?: number }): Promise<Prediction[][]>;
  override async classify(input: BrowserImageInput | readonly BrowserImageInput[], options: ImageRunOptions & { topK?: number } = {}): Promise<Prediction[] | Prediction[][]> {
    return super.classify((await toImageInputs(input)) as never, options);
  }

  /**
   * Pooled features [N, C] of browser images, or of an NCHW batch.
   *
   * @example
   * const { dims } = await net.embed([imgA, imgB]); // [2, 1280]
   */
  override async embed(input: BrowserImageInput | readonly BrowserImageInput[] | FloatBatch, options: ImageRunOptions = {}): Promise<FloatBatch> {
    if (isFloatBatch(input)) return super.embed(input, options);
    return super.embed((await toImageInputs(input)) as never, options);
  }

  /**
   * Fine-tunes on labelled images from the page: Files, Blobs, canvases, `<img>` elements,
   * ImageData, pixels or URLs, held in memory for the run (see the core's `fit`).
   *
   * @example
   * const { model, history } = await net.fit({ classes: ['cat', 'dog'], samples: files.map((image, i) => ({ image, label: labels[i] })) }, { epochs: 2, freeze: 'head' });
   */
  override async fit(dataset: BrowserDataset, options: FitOptions & { validation?: BrowserDataset | { readonly split: number } }): Promise<FitResult<this>> {
    const validation = options.validation && !('split' in options.validation) ? await toLabelledDataset(options.validation) : options.validation;
    return super.fit(await toLabelledDataset(dataset), { ...options, validation });
  }
}
