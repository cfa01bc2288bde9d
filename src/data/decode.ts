/**
 * Image decoding through the platform's codec (sharp on Node, the browser's decoders there) to
 * 8-bit grey or RGB, with the EXIF orientation applied. By default colours follow PIL, which
 * ignores embedded ICC profiles, so the pixels match what the weights were trained on.
 */
import { fileSystemWords, ImageDecodeError } from '../errors.js';
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
  let encoded: Uint8Array | undefined = typeof input === 'string' ? undefined : input;
  try {
    encoded ??= await platform().files.read(input as string);
    if (encoded.length === 0) throw new ImageDecodeError(source, 'the file is empty');
    return toChannels(await platform().images.decodeRgb(encoded, options.icc ?? 'ignore'), channels);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(source, describe(error, encoded));
  }
}

/**
 * The width and height an image file's header states, without decoding its pixels (0 where the
 * header has none). The codec's own error, unchanged, when the file is not an image it can open.
 *
 * @example
 * await readImageSize('cat.jpg') // { width: 640, height: 480 }
 */
export async function readImageSize(path: string): Promise<{ width: number; height: number }> {
  return platform().images.size(path);
}

function isRawImage(input: ImageInput): input is RawImage {
  return typeof input === 'object' && !(input instanceof Uint8Array);
}

/**
 * One line of reason from sharp's or the file system's error: libvips's first line without its
 * "Input file has" preamble, errno codes in words, and a truncated JPEG named as such (libvips
 * says "premature end", and sometimes nothing at all).
 */
function describe(error: unknown, bytes?: Uint8Array): string {
  const words = fileSystemWords((error as { code?: string }).code);
  if (words) return words;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    .replace(/^Input (file|buffer) (contains|has) /, '').trim();
  const silent = message === '' || /^unknown error$/i.test(message);
  if (/premature end of JPEG/i.test(message) || (silent && bytes !== undefined && isTruncatedJpeg(bytes))) {
    return 'the JPEG data ends early: the file is truncated (no end-of-image marker)';
  }
  return silent ? 'libvips gave no reason: the data is corrupt or not an image' : message;
}

/** A JPEG stream starts with SOI (FF D8) and ends with EOI (FF D9). */
function isTruncatedJpeg(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8 && !(bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9);
}
