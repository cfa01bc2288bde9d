/**
 * The training transform: decode, random resized crop, horizontal flip, optional RandAugment,
 * normalise. Each image's
 * random numbers come from its own generator seeded by (seed, epoch, sample), so the result does
 * not depend on the order in which the parallel loader finishes decoding.
 */
import { decodeImage, type ImageInput } from '../decode.js';
import { randomHorizontalFlip, randomResizedCropBox, resizedCrop, type ResizedCropOptions } from './augment.js';
import type { OutputChannels, RawImage } from '../image.js';
import { preprocessImage, preprocessPixels } from '../preprocess.js';
import type { PreprocessConfig } from '../../weights/preprocessConfig.js';
import { normalize, type ImageTensor } from '../tensor.js';
import { mixSeed, seededRng } from '../../util/random.js';
import { randAugment, type RandAugmentOptions } from './randAugment.js';

export interface AugmentOptions {
  /** Random resized crop to the model's input size; false for the evaluation crop. Default `{ scale: [0.08, 1] }`. */
  readonly crop?: ResizedCropOptions | false;
  /** Mirror left to right with probability 0.5. Default true. */
  readonly flip?: boolean;
  /** RandAugment after the crop and flip; off by default. */
  readonly randAugment?: RandAugmentOptions;
}

/** An image to load for one step: which sample, in which epoch. */
export interface TrainItem {
  /** The image's path, or its name when `image` holds it. */
  readonly path: string;
  readonly image?: ImageInput;
  readonly sample: number;
  readonly epoch: number;
}

/**
 * A loader function for `loadBatches`: augmented when `augment` is set, the evaluation
 * transform `config` otherwise. Output [C, H, W] at `config.crop`.
 *
 * @example
 * const load = trainTransform(net.preprocess, { flip: true }, 1, 0);
 * for await (const batch of loadBatches(items, net.preprocess, {}, load)) { ... }
 */
export function trainTransform(config: PreprocessConfig, augment: AugmentOptions | false, channels: OutputChannels, seed: number): (item: TrainItem) => Promise<ImageTensor> {
  if (augment === false) return (item) => preprocessImage(item.image ?? item.path, config, { channels, name: item.path });
  const crop = augment.crop ?? {};
  const flip = augment.flip ?? true;
  return async (item) => {
    const rng = seededRng(mixSeed(seed, item.epoch, item.sample));
    const image = await decodeImage(item.image ?? item.path, { channels, name: item.path });
    const rest = (im: RawImage) => {
      const flipped = flip ? randomHorizontalFlip(im, rng) : im;
      return augment.randAugment ? randAugment(flipped, rng, augment.randAugment) : flipped;
    };
    if (crop === false) return preprocessPixels(rest(image), config);
    const cropped = resizedCrop(image, randomResizedCropBox(image.height, image.width, rng, crop), config.crop, config.interpolation);
    return normalize(rest(cropped), config.mean, config.std);
  };
}
