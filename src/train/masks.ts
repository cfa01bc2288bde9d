/** Random masks for drop connect and dropout, drawn from our seeded generator. */
import type { Random } from '../util/random.js';
import type { MaskInput } from './trainingGraph.js';

/**
 * Values 0 or 1/keep, keep = 1 − rate, one per element of the mask's shape (drop connect
 * [N, 1, 1, 1]: per sample; dropout [N, C]: per feature), as the reference's
 * floor(keep + u) / keep.
 *
 * @example
 * drawMask(new Random(1), { name: 'dropout', shape: [8, 1280], rate: 0.2 }).length // 10240
 */
export function drawMask(random: Random, mask: MaskInput): Float32Array {
  const keep = 1 - mask.rate;
  const scale = Math.fround(1 / keep);
  const out = new Float32Array(mask.shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(keep + random.uniform()) * scale;
  return out;
}
