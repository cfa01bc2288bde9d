/**
 * A weight set's evaluation transform applied to one image: torchvision's
 * `Resize(resize)` → `CenterCrop(crop)` → `ToTensor()` → `Normalize(mean, std)` on PIL pixels.
 */
import { ConfigError, oneOf } from '../errors.js';
import { decodeImage, type DecodeOptions, type ImageInput } from './decode.js';
import { centerCropBox, resizedSize, squashedSize } from './geometry.js';
import type { RawImage } from './image.js';
import { INTERPOLATIONS, RESIZE_MODES, type PreprocessConfig } from '../weights/preprocessConfig.js';
import { resample } from './resample.js';
import { normalize, type ImageTensor } from './tensor.js';

/**
 * Resizes the shorter side to `config.resize` (both sides with `resizeMode: 'squash'`),
 * centre-crops `config.crop` and normalises.
 *
 * @example
 * const { data, dims } = preprocessPixels(await decodeImage('cat.jpg'), preset('torchvision', 'b0')); // dims [3, 224, 224]
 */
export function preprocessPixels(image: RawImage, config: PreprocessConfig): ImageTensor {
  checkConfig(config);
  const [height, width] = config.resizeMode === 'squash' ? squashedSize(config.resize, config.crop) : resizedSize(image.height, image.width, config.resize);
  const crop = resample(image, height, width, config.interpolation, centerCropBox(height, width, config.crop));
  return normalize(crop, config.mean, config.std);
}

/**
 * Decodes (path, bytes or raw pixels) and preprocesses one image.
 *
 * @example
 * const tensor = await preprocessImage('cat.jpg', preset('lukemelas', 'efficientnet-b0')); // dims [3, 224, 224]
 */
export async function preprocessImage(input: ImageInput, config: PreprocessConfig, options: DecodeOptions = {}): Promise<ImageTensor> {
  return preprocessPixels(await decodeImage(input, options), config);
}

/** Rejects sizes and interpolations that no transform could mean, naming the field. */
export function checkConfig(config: PreprocessConfig): void {
  const sizes: [string, number][] = [['resize', config.resize], ['crop height', config.crop[0]], ['crop width', config.crop[1]]];
  for (const [name, value] of sizes) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`Preprocessing ${name} must be a positive integer, got ${value}`);
  }
  if (config.resizeMode !== undefined && !RESIZE_MODES.includes(config.resizeMode)) {
    throw new ConfigError(`Invalid resize mode: '${config.resizeMode}'. Should be one of: ${oneOf(RESIZE_MODES)}`);
  }
  if (!INTERPOLATIONS.includes(config.interpolation)) {
    throw new ConfigError(`Invalid interpolation: '${config.interpolation}'. Should be one of: ${oneOf(INTERPOLATIONS)}`);
  }
}
