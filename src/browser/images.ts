/**
 * Image decoding in a browser: the browser's own decoders through `createImageBitmap`, pixels read
 * back through WebGL2 (straightPixels.ts), which keeps the stored colour under any alpha. As PIL
 * does, embedded colour profiles are ignored by default (`colorSpaceConversion: 'none'`), the
 * EXIF orientation is applied, and alpha is dropped rather than composited. Without WebGL2 the
 * pixels come from a 2D canvas, which stores premultiplied alpha: there only opaque pixels are
 * exact (where alpha is below 255 the colour comes back rounded, and black where alpha is 0).
 */
import { ImageDecodeError } from '../errors.js';
import type { ImageCodec, RawImage } from '../platform/index.js';
import { fetchBytes } from './files.js';
import { straightPixels } from './straightPixels.js';

/** Anything the browser can draw: `<img>`, `<canvas>`, ImageBitmap, ImageData, Blob/File, OffscreenCanvas, `<video>`. */
export type BrowserImage = ImageBitmapSource;

/**
 * RGBA pixels of a browser image, [H, W, 4] interleaved, alpha not premultiplied, without colour
 * management when `icc` is 'ignore'. ImageData is taken as it is. Read through WebGL2, so the
 * colour under alpha below 255 is the one the file stores; where WebGL2 is missing (or the image
 * is larger than its largest texture) a 2D canvas reads it, exact for opaque pixels only. A
 * canvas source stores premultiplied colour itself: it comes back as its getImageData gives it.
 *
 * @example
 * const { data, width, height } = await browserPixels(document.querySelector('img')!);
 */
export async function browserPixels(source: BrowserImage, icc: 'ignore' | 'apply' = 'ignore'): Promise<RawImage> {
  if (source instanceof ImageData) return { data: new Uint8Array(source.data.buffer, source.data.byteOffset, source.data.byteLength), width: source.width, height: source.height, channels: 4 };
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) await source.decode();
  const bitmap = await createImageBitmap(source, { imageOrientation: 'from-image', colorSpaceConversion: icc === 'ignore' ? 'none' : 'default', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    const straight = straightPixels(bitmap, icc);
    if (straight) return { data: straight, width, height, channels: 4 };
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('the browser gave no 2D canvas context');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, channels: 4 };
  } finally {
    bitmap.close();
  }
}

/** The RGB channels of RGBA pixels (alpha dropped, as PIL's `convert('RGB')`). */
function dropAlpha(image: RawImage): RawImage {
  const { data, width, height } = image;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) rgb[j] = data[i], rgb[j + 1] = data[i + 1], rgb[j + 2] = data[i + 2];
  return { data: rgb, width, height, channels: 3 };
}

async function bytesOf(input: string | Uint8Array): Promise<Uint8Array> {
  return typeof input === 'string' ? fetchBytes(input) : input;
}

/** The browser's decoders behind the platform's image interface. */
export const browserImages: ImageCodec = {
  async decodeRgb(input, icc) {
    const bytes = await bytesOf(input);
    try {
      return dropAlpha(await browserPixels(new Blob([bytes.slice()]), icc));
    } catch (error) {
      // createImageBitmap rejects every undecodable input with the same InvalidStateError.
      throw new ImageDecodeError(typeof input === 'string' ? input : '<buffer>', `the browser cannot decode it (${(error as Error).message})`);
    }
  },

  async size(input) {
    const bitmap = await createImageBitmap(new Blob([(await bytesOf(input)).slice()]));
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  },

  async svgToPng(svg, scale) {
    // createImageBitmap takes no SVG: an <img> decodes it, at its own width and height.
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      const canvas = new OffscreenCanvas(Math.round(image.naturalWidth * scale), Math.round(image.naturalHeight * scale));
      canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    } finally {
      URL.revokeObjectURL(url);
    }
  },
};
