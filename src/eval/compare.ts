/**
 * Two models on the same images: how often their top-1 agrees and how far their logits move
 * apart (the int8 model beside its float original).
 */
import type { ImageInput } from '../data/decode.js';
import type { ImageModel } from '../model/imageModel.js';
import { type ImageRunOptions, mapImageBatches, requireClassifier } from '../pipeline/classify.js';
import { argmax } from './metrics.js';

export interface ModelComparison {
  readonly images: number;
  /** Share of images whose top-1 class is the same in both models. */
  readonly agreement: number;
  /** Largest |a − b| over every logit of every image. */
  readonly maxLogitDifference: number;
}

/**
 * Runs both models on each batch of images and compares their logits.
 *
 * @example
 * const { agreement, maxLogitDifference } = await compareModels(fp32, int8, files);
 */
export async function compareModels(a: ImageModel, b: ImageModel, images: readonly ImageInput[], options: ImageRunOptions = {}): Promise<ModelComparison> {
  const classes = requireClassifier(a, 'compare');
  const tally = new ComparisonTally(classes);
  await mapImageBatches(a, images, options, async (batch, count) => {
    tally.add((await a.forward(batch)).data, (await b.forward(batch)).data, count);
    return [];
  });
  return tally.result();
}

/**
 * Agreement and largest logit difference accumulated batch by batch, from two models' [n, K]
 * logits of the same images (what `compareModels` and `evaluate` beside a reference report).
 *
 * @example
 * const tally = new ComparisonTally(10);
 * tally.add(fp32Logits, int8Logits, n);
 * const { agreement } = tally.result();
 */
export class ComparisonTally {
  private images = 0;
  private same = 0;
  private difference = 0;

  constructor(private readonly classes: number) {}

  add(x: Float32Array, y: Float32Array, count: number): void {
    const K = this.classes;
    for (let i = 0; i < count; i++) {
      const [rx, ry] = [x.subarray(i * K, (i + 1) * K), y.subarray(i * K, (i + 1) * K)];
      for (let k = 0; k < K; k++) this.difference = Math.max(this.difference, Math.abs(rx[k] - ry[k]));
      if (argmax(rx) === argmax(ry)) this.same++;
    }
    this.images += count;
  }

  result(): ModelComparison {
    return { images: this.images, agreement: this.images === 0 ? 0 : this.same / this.images, maxLogitDifference: this.difference };
  }
}

/**
 * The fp32/int8 accuracy pair as text: top-1 and top-k side by side, agreement, largest logit difference.
 *
 * @example
 * formatComparison({ top1: 0.72, topK: 0.95, k: 5 }, { top1: 0.718, topK: 0.95, k: 5 }, comparison)
 */
export function formatComparison(fp32: { top1: number; topK: number; k: number }, int8: { top1: number; topK: number }, c: ModelComparison): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  return [
    `int8 beside fp32 on ${c.images} images`,
    `         ${'fp32'.padStart(8)}${'int8'.padStart(8)}`,
    `top-1    ${pct(fp32.top1)}${pct(int8.top1)}`,
    `top-${fp32.k}    ${pct(fp32.topK)}${pct(int8.topK)}`,
    `top-1 agreement ${(c.agreement * 100).toFixed(2)}%, largest logit difference ${c.maxLogitDifference.toFixed(4)}`,
    '',
  ].join('\n');
}
