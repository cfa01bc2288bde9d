/** Random masks for drop connect and dropout, drawn from our seeded generator. */
import type { Random } from '../util/random.js';
import { type MaskInput, batchDims } from './trainingGraph.js';

/**
 * Values 0 or 1/keep, keep = 1 − rate, one per element of the mask's shape (drop connect
 * [N, 1, 1, 1]: per sample; dropout [N, C]: per feature), as the reference's
 * floor(keep + u) / keep. `batch` is N where the graph leaves it symbolic.
 *
 * @example
 * drawMask(new Random(1), { name: 'dropout', shape: ['N', 1280], rate: 0.2 }, 8).length // 10240
 */
export function drawMask(random: Random, mask: MaskInput, batch?: number): Float32Array {
  const keep = 1 - mask.rate;
  const scale = Math.fround(1 / keep);
  const out = new Float32Array(batchDims(mask.shape, batch).reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(keep + random.uniform()) * scale;
  return out;
}
