/**
 * Training augmentation primitives with a seeded RNG, so a run can be repeated exactly:
 * torchvision's `RandomResizedCrop` (same sampling rules) and `RandomHorizontalFlip`.
 */
import type { Interpolation } from '../../weights/preprocessConfig.js';
import { roundHalfEven, type Box } from '../geometry.js';
import type { RawImage } from '../image.js';
import { resample } from '../resample.js';
import type { Rng } from '../../util/random.js';

export interface ResizedCropOptions {
  /** Range of the crop's area as a fraction of the image. Default [0.08, 1]. */
  readonly scale?: readonly [number, number];
  /** Range of width / height, sampled log-uniformly. Default [3/4, 4/3]. */
  readonly ratio?: readonly [number, number];
}

/**
 * The box `RandomResizedCrop.get_params` would pick: ten tries at a random area and aspect ratio
 * that fit, else the centre crop clamped to the ratio range.
 *
 * @example
 * randomResizedCropBox(300, 451, seededRng(1)) // { top, left, height, width } inside the image
 */
export function randomResizedCropBox(height: number, width: number, rng: Rng, options: ResizedCropOptions = {}): Box {
  const [minScale, maxScale] = options.scale ?? [0.08, 1];
  const [minRatio, maxRatio] = options.ratio ?? [3 / 4, 4 / 3];
  const area = height * width;
  const uniform = (low: number, high: number) => low + (high - low) * rng();
  const integer = (high: number) => Math.floor(rng() * (high + 1)); // 0 … high inclusive
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(minScale, maxScale);
    const ratio = Math.exp(uniform(Math.log(minRatio), Math.log(maxRatio)));
    const w = roundHalfEven(Math.sqrt(target * ratio)); // Python's round, as torchvision
    const h = roundHalfEven(Math.sqrt(target / ratio));
    if (w > 0 && w <= width && h > 0 && h <= height) return { top: integer(height - h), left: integer(width - w), height: h, width: w };
  }
  const inRatio = width / height;
  let [w, h] = [width, height];
  if (inRatio < minRatio) h = roundHalfEven(w / minRatio);
  else if (inRatio > maxRatio) w = roundHalfEven(h * maxRatio);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * Crops `box` out of the image, then resizes it to `size` = [h, w] (torchvision `resized_crop`).
 *
 * @example
 * resizedCrop(image, randomResizedCropBox(image.height, image.width, rng), [224, 224], 'bilinear')
 */
export function resizedCrop(image: RawImage, box: Box, size: readonly [number, number], interpolation: Interpolation): RawImage {
  const cropped = resample(image, image.height, image.width, 'nearest', box); // same size: a plain copy of the box
  return resample(cropped, size[0], size[1], interpolation);
}

/**
 * Mirrors left to right with probability `p`.
 *
 * @example
 * const flipped = randomHorizontalFlip(image, seededRng(7));
 */
export function randomHorizontalFlip(image: RawImage, rng: Rng, p = 0.5): RawImage {
  if (rng() >= p) return image;
  const { data, width, height, channels } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      out.set(data.subarray(from, from + channels), (y * width + (width - 1 - x)) * channels);
    }
  }
  return { data: out, width, height, channels };
}
