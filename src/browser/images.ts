/**
 * Image decoding in a browser: the browser's own decoders through `createImageBitmap`, pixels read
 * back from a 2D OffscreenCanvas. As PIL does, embedded colour profiles are ignored by default
 * (`colorSpaceConversion: 'none'`), the EXIF orientation is applied, and alpha is dropped rather
 * than composited. A 2D canvas stores premultiplied alpha, so it is exact only where alpha is 255:
 * an image with a translucent pixel is read again through WebGL2 (straightPixels.ts), which keeps
 * the stored colour under any alpha. Opaque images, JPEG among them, never touch WebGL.
 */
import { ImageDecodeError } from '../errors.js';
import type { ImageCodec, RawImage } from '../platform/index.js';
import { fetchBytes } from './files.js';
import { straightPixels } from './straightPixels.js';

/** Anything the browser can draw: `<img>`, `<canvas>`, ImageBitmap, ImageData, Blob/File, OffscreenCanvas, `<video>`. */
export type BrowserImage = ImageBitmapSource;

/**
 * RGBA pixels of a browser image, [H, W, 4] interleaved, alpha not premultiplied, without colour
 * management when `icc` is 'ignore'. ImageData is taken as it is. Exact under any alpha where the
 * browser has WebGL2 on an OffscreenCanvas; without it (or past its largest texture) translucent
 * pixels come back premultiplied and unpremultiplied by a 2D canvas: rounded, and black where
 * alpha is 0. A canvas source stores premultiplied colour itself: it comes back as its
 * getImageData gives it.
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
    const pixels = canvasPixels(bitmap);
    // The 2D read is cheaper than WebGL2's upload and readPixels: WebGL2 only where it is needed.
    const data = (isTranslucent(pixels) && straightPixels(bitmap, icc)) || pixels;
    return { data, width, height, channels: 4 };
  } finally {
    bitmap.close();
  }
}

/** The bitmap drawn on a 2D canvas and read back: [H, W, 4], exact where alpha is 255. */
function canvasPixels(bitmap: ImageBitmap): Uint8Array {
  const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('the browser gave no 2D canvas context');
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Whether any pixel of RGBA bytes has alpha below 255. */
function isTranslucent(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
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
