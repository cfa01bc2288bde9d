/**
 * Decoded pixels and the colour conversions that follow PIL's `Image.convert`, because every
 * weight set was trained on images read by PIL: grey is replicated, alpha is dropped (not
 * composited) and CMYK is inverted without a colour profile.
 */
import { InputShapeError } from '../errors.js';
import type { RawImage } from '../platform/index.js';

export type { RawImage };

/** What the pipeline hands the model: grey (1) or RGB (3). */
export type OutputChannels = 1 | 3;

/** Checks that `data` holds exactly `height × width × channels` bytes of 1 to 4 channels. */
export function checkRawImage(image: RawImage, source = 'raw pixels'): void {
  const { data, width, height, channels } = image;
  if (!(data instanceof Uint8Array)) throw new InputShapeError(`${source}: data must be a Uint8Array`);
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InputShapeError(`${source}: ${name} must be a positive integer, got ${value}`);
  }
  if (![1, 2, 3, 4].includes(channels)) {
    throw new InputShapeError(`${source}: channels must be 1, 2, 3 or 4 (grey, grey+alpha, RGB, RGBA), got ${channels}`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new InputShapeError(`${source}: ${width}×${height}×${channels} needs ${expected} bytes, got ${data.length}`);
  }
}

/**
 * Converts 1–4 channel pixels to grey or RGB the way PIL's `convert('L')` / `convert('RGB')` does:
 * grey is replicated, alpha dropped, and RGB→grey uses ITU-R 601 luma in PIL's fixed point.
 *
 * @example
 * toChannels({ data: new Uint8Array([10, 255]), width: 1, height: 1, channels: 2 }, 3).data // [10, 10, 10]
 */
export function toChannels(image: RawImage, channels: OutputChannels): RawImage {
  const { data, width, height } = image;
  const colour = image.channels >= 3; // RGB or RGBA, else grey or grey+alpha
  const stride = image.channels;
  if (image.channels === channels) return image;
  const pixels = width * height;
  const out = new Uint8Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    const p = i * stride;
    if (channels === 3) {
      out[i * 3] = data[p];
      out[i * 3 + 1] = colour ? data[p + 1] : data[p];
      out[i * 3 + 2] = colour ? data[p + 2] : data[p];
    } else {
      out[i] = colour ? luma(data[p], data[p + 1], data[p + 2]) : data[p];
    }
  }
  return { data: out, width, height, channels };
}

/** PIL's `L = R·299/1000 + G·587/1000 + B·114/1000`, in its 16-bit fixed point with rounding. */
function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/**
 * CMYK (as stored by libvips, Adobe inversion already undone) to RGB with PIL's formula
 * `R = (255 − C)(255 − K) / 255`, ignoring any colour profile as PIL does. A fifth (alpha)
 * channel is dropped.
 *
 * @example
 * cmykToRgb({ data: new Uint8Array([0, 0, 0, 0]), width: 1, height: 1, channels: 4 }).data // [255, 255, 255]
 */
export function cmykToRgb(image: RawImage): RawImage {
  const { data, width, height, channels } = image;
  const pixels = width * height;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const notK = 255 - data[i * channels + 3];
    for (let c = 0; c < 3; c++) {
      const t = data[i * channels + c] * notK + 128; // PIL's MULDIV255: exact rounding of x·y/255
      out[i * 3 + c] = notK - (((t >> 8) + t) >> 8);
    }
  }
  return { data: out, width, height, channels: 3 };
}
