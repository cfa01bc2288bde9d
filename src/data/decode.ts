/**
 * Image decoding through the platform's codec (sharp on Node, the browser's decoders there) to
 * 8-bit grey or RGB, with the EXIF orientation applied. By default colours follow PIL, which
 * ignores embedded ICC profiles, so the pixels match what the weights were trained on.
 */
import { ImageDecodeError } from '../errors.js';
import { platform } from '../platform/index.js';
import { checkRawImage, toChannels, type OutputChannels, type RawImage } from './image.js';

/** A file path, encoded bytes, or pixels already decoded (`{ data, width, height, channels }`). */
export type ImageInput = string | Uint8Array | RawImage;

export interface DecodeOptions {
  /** 3 for RGB models (default), 1 for models built with `inChannels: 1`. */
  readonly channels?: OutputChannels;
  /**
   * 'ignore' (default) reads pixel values as stored, like PIL and so like every weight set's
   * training data; 'apply' converts through the embedded ICC profile to sRGB.
   */
  readonly icc?: 'ignore' | 'apply';
  /** Name used in error messages for buffers and raw pixels (paths name themselves). */
  readonly name?: string;
}

/**
 * Decodes an image to interleaved 8-bit pixels, [H, W, C] with C = `channels`.
 * Grey, palette, CMYK and alpha images become RGB (alpha is dropped, as PIL's `convert('RGB')`
 * does); EXIF orientation is applied. Every failure is an `ImageDecodeError` naming the source.
 *
 * @example
 * const { data, width, height } = await decodeImage('cat.jpg'); // data.length === width * height * 3
 */
export async function decodeImage(input: ImageInput, options: DecodeOptions = {}): Promise<RawImage> {
  const channels = options.channels ?? 3;
  if (isRawImage(input)) {
    checkRawImage(input, options.name);
    return toChannels(input, channels);
  }
  const source = typeof input === 'string' ? input : (options.name ?? '<buffer>');
  try {
    const encoded = typeof input === 'string' ? await platform().files.read(input) : input;
    if (encoded.length === 0) throw new ImageDecodeError(source, 'the file is empty');
    return toChannels(await platform().images.decodeRgb(encoded, options.icc ?? 'ignore'), channels);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(source, describe(error));
  }
}

function isRawImage(input: ImageInput): input is RawImage {
  return typeof input === 'object' && !(input instanceof Uint8Array);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].replace(/^Input (file|buffer) (contains|has) /, '') || 'unknown error';
}
