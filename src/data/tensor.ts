/**
 * Pixels to model input: [H, W, C] bytes → [C, H, W] float32, scaled to [0, 1] and normalised
 * per channel, as torchvision's `ToTensor` + `Normalize` do; and images stacked into batches.
 */
import { ConfigError, InputShapeError } from '../errors.js';
import type { RawImage } from './image.js';

/** One preprocessed image, channels first. */
export interface ImageTensor {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number]; // [C, H, W]
}

/** A batch, ready for the model. */
export interface BatchTensor {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number]; // [N, C, H, W]
}

/**
 * `(pixel / 255 − mean[c]) / std[c]`, transposed to [C, H, W]. `mean` and `std` need one entry
 * per channel.
 *
 * @example
 * normalize(crop, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).dims // [3, 224, 224]
 */
export function normalize(image: RawImage, mean: readonly number[], std: readonly number[]): ImageTensor {
  const { data, width, height, channels } = image;
  for (const [name, values] of [['mean', mean], ['std', std]] as const) {
    if (values.length !== channels) {
      throw new ConfigError(`${name} has ${values.length} entries but the image has ${channels} channel(s); give one per channel`);
    }
  }
  if (std.some((s) => !(s > 0))) throw new ConfigError(`std must be positive, got [${std.join(', ')}]`);
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    const s = std[c];
    for (let i = 0; i < plane; i++) out[c * plane + i] = (data[i * channels + c] / 255 - m) / s;
  }
  return { data: out, dims: [channels, height, width] };
}

/**
 * Stacks same-sized images into one [N, C, H, W] tensor.
 *
 * @example
 * stackBatch([a, b]).dims // [2, 3, 224, 224]
 */
export function stackBatch(images: readonly ImageTensor[]): BatchTensor {
  if (images.length === 0) throw new InputShapeError('Cannot make a batch of no images');
  const [c, h, w] = images[0].dims;
  const size = c * h * w;
  const data = new Float32Array(images.length * size);
  images.forEach((image, n) => {
    if (image.dims.join() !== images[0].dims.join()) {
      throw new InputShapeError(`Image ${n} has dims [${image.dims.join(', ')}], expected [${c}, ${h}, ${w}] like image 0`);
    }
    data.set(image.data, n * size);
  });
  return { data, dims: [images.length, c, h, w] };
}
