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
  const rows = await mapImageBatches(a, images, options, async (batch, count) => {
    const [x, y] = [(await a.forward(batch)).data, (await b.forward(batch)).data]; // [n, K] each
    return Array.from({ length: count }, (_, i) => {
      const [rx, ry] = [x.subarray(i * classes, (i + 1) * classes), y.subarray(i * classes, (i + 1) * classes)];
      let difference = 0;
      for (let k = 0; k < classes; k++) difference = Math.max(difference, Math.abs(rx[k] - ry[k]));
      return { same: argmax(rx) === argmax(ry), difference };
    });
  });
  return {
    images: rows.length,
    agreement: rows.length === 0 ? 0 : rows.filter((r) => r.same).length / rows.length,
    maxLogitDifference: rows.reduce((m, r) => Math.max(m, r.difference), 0),
  };
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
