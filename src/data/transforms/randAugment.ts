/**
 * RandAugment (Cubuk et al. 2020) as torchvision 0.14 defines its operations and magnitudes:
 * `num_ops` operations drawn uniformly from fourteen, each at `magnitude` of 31 bins, signed at
 * random where the operation has a direction. Works on 8-bit [H, W, C] pixels (grey or RGB);
 * geometric operations use nearest sampling and fill with black, as torchvision's defaults do.
 * The same generator gives the same image; the pixels are not promised to match torchvision's.
 */
import type { Rng } from '../../util/random.js';
import type { RawImage } from '../image.js';

export interface RandAugmentOptions {
  /** Operations per image. Default 2. */
  readonly ops?: number;
  /** Strength, 0 … bins − 1. Default 9. */
  readonly magnitude?: number;
  /** Default 31. */
  readonly bins?: number;
}

type Op = (image: RawImage, m: number) => RawImage;

const OPS: readonly [name: string, maxMagnitude: number, signed: boolean, op: Op][] = [
  ['Identity', 0, false, (im) => im],
  ['ShearX', 0.3, true, (im, m) => affine(im, [1, m, 0, 0, 1, 0])],
  ['ShearY', 0.3, true, (im, m) => affine(im, [1, 0, 0, m, 1, 0])],
  ['TranslateX', 150 / 331, true, (im, m) => affine(im, [1, 0, Math.round(m * im.width), 0, 1, 0])],
  ['TranslateY', 150 / 331, true, (im, m) => affine(im, [1, 0, 0, 0, 1, Math.round(m * im.height)])],
  ['Rotate', 30, true, (im, m) => rotate(im, m)],
  ['Brightness', 0.9, true, (im, m) => blend(im, new Uint8Array(im.data.length), 1 + m)],
  ['Color', 0.9, true, (im, m) => blend(im, grey(im), 1 + m)],
  ['Contrast', 0.9, true, (im, m) => blend(im, new Uint8Array(im.data.length).fill(Math.floor(mean(grey(im)) + 0.5)), 1 + m)],
  ['Sharpness', 0.9, true, (im, m) => blend(im, smooth(im), 1 + m)],
  ['Posterize', 4, false, (im, m) => map(im, (v) => v & (0xff << (8 - Math.round(8 - m))))],
  ['Solarize', 255, false, (im, m) => map(im, (v) => (v >= 255 - m ? 255 - v : v))],
  ['AutoContrast', 0, false, (im) => autoContrast(im)],
  ['Equalize', 0, false, (im) => equalize(im)],
];

/**
 * Applies `ops` random operations at the given magnitude.
 *
 * @example
 * const augmented = randAugment(image, seededRng(1), { ops: 2, magnitude: 9 });
 */
export function randAugment(image: RawImage, rng: Rng, options: RandAugmentOptions = {}): RawImage {
  const bins = options.bins ?? 31;
  const level = (options.magnitude ?? 9) / (bins - 1); // torchvision: linspace(0, max, bins)[magnitude]
  let out = image;
  for (let i = 0; i < (options.ops ?? 2); i++) {
    const [, max, signed, op] = OPS[Math.floor(rng() * OPS.length)];
    const sign = signed && rng() < 0.5 ? -1 : 1;
    out = op(out, sign * max * level);
  }
  return out;
}

/** Output pixel (x, y) reads input (a·x + b·y + c, d·x + e·y + f), about the image centre; black outside. */
function affine(image: RawImage, [a, b, c, d, e, f]: readonly number[]): RawImage {
  const { data, width, height, channels } = image;
  const out = new Uint8Array(data.length);
  const [cx, cy] = [(width - 1) / 2, (height - 1) / 2];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.round(a * (x - cx) + b * (y - cy) - c + cx);
      const sy = Math.round(d * (x - cx) + e * (y - cy) - f + cy);
      if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
      out.set(data.subarray((sy * width + sx) * channels, (sy * width + sx + 1) * channels), (y * width + x) * channels);
    }
  }
  return { data: out, width, height, channels };
}

function rotate(image: RawImage, degrees: number): RawImage {
  const t = (degrees * Math.PI) / 180; // counter-clockwise, as torchvision's positive angles
  return affine(image, [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0]);
}

/** PIL's ImageEnhance: degenerate + factor·(image − degenerate), clamped. */
function blend(image: RawImage, degenerate: Uint8Array, factor: number): RawImage {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(degenerate[i] + factor * (image.data[i] - degenerate[i]))));
  return { ...image, data: out };
}

/** Luma replicated to every channel (the image itself when grey). */
function grey(image: RawImage): Uint8Array {
  const { data, channels } = image;
  if (channels === 1) return data;
  const out = new Uint8Array(data.length);
  for (let p = 0; p < data.length; p += channels) out.fill((data[p] * 299 + data[p + 1] * 587 + data[p + 2] * 114 + 500) / 1000 | 0, p, p + channels);
  return out;
}

const mean = (values: Uint8Array) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** PIL's SMOOTH filter (3×3, centre 5, others 1, /13) inside, the border kept. */
function smooth(image: RawImage): Uint8Array {
  const { data, width, height, channels } = image;
  const out = data.slice();
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += data[((y + dy) * width + x + dx) * channels + c] * (dx === 0 && dy === 0 ? 5 : 1);
        out[(y * width + x) * channels + c] = Math.round(sum / 13);
      }
    }
  }
  return out;
}

function map(image: RawImage, f: (v: number) => number): RawImage {
  return { ...image, data: image.data.map(f) };
}

/** Per channel, stretch [min, max] to [0, 255]. */
function autoContrast(image: RawImage): RawImage {
  const { data, channels } = image;
  const out = data.slice();
  for (let c = 0; c < channels; c++) {
    let [lo, hi] = [255, 0];
    for (let i = c; i < data.length; i += channels) (lo = Math.min(lo, data[i])), (hi = Math.max(hi, data[i]));
    if (hi <= lo) continue;
    for (let i = c; i < data.length; i += channels) out[i] = Math.round(((data[i] - lo) * 255) / (hi - lo));
  }
  return { ...image, data: out };
}

/** Per channel histogram equalisation (PIL's ImageOps.equalize). */
function equalize(image: RawImage): RawImage {
  const { data, channels } = image;
  const out = data.slice();
  for (let c = 0; c < channels; c++) {
    const histogram = new Array<number>(256).fill(0);
    for (let i = c; i < data.length; i += channels) histogram[data[i]]++;
    const used = histogram.filter((h) => h > 0);
    const step = Math.floor((data.length / channels - used[used.length - 1]) / 255);
    if (step === 0) continue;
    const lut = new Array<number>(256);
    let n = Math.floor(step / 2);
    for (let v = 0; v < 256; v++) (lut[v] = Math.min(255, Math.floor(n / step))), (n += histogram[v]);
    for (let i = c; i < data.length; i += channels) out[i] = lut[data[i]];
  }
  return { ...image, data: out };
}
