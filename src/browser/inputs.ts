/**
 * What the browser entry accepts beyond the core's inputs (paths, bytes, raw pixels): Blobs and
 * Files, ArrayBuffers, and anything the browser can draw (`<img>`, canvas, ImageBitmap,
 * ImageData). Each becomes a core input before the core sees it: encoded data stays encoded
 * (the platform decodes it like a fetched file), drawable images become RGBA pixels.
 */
import type { ImageInput } from '../data/decode.js';
import type { LabelledDataset } from '../finetune/dataset.js';
import type { RawImage } from '../platform/index.js';
import { type BrowserImage, browserPixels } from './images.js';

/** A core input (URL, encoded bytes, raw pixels), encoded data in a Blob/File/ArrayBuffer, or a drawable image. */
export type BrowserImageInput = ImageInput | ArrayBuffer | BrowserImage;

/** A checkpoint: its URL, its bytes, or a Blob/File holding them. */
export type WeightsSource = string | Uint8Array | ArrayBuffer | Blob;

function isRawImage(value: object): value is RawImage {
  return 'channels' in value && (value as RawImage).data instanceof Uint8Array;
}

/**
 * The core input for a browser one.
 *
 * @example
 * await toImageInput(fileInput.files[0]) // Uint8Array of the encoded file
 */
export async function toImageInput(input: BrowserImageInput): Promise<ImageInput> {
  if (typeof input === 'string' || input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  if (isRawImage(input)) return input;
  return browserPixels(input as BrowserImage);
}

/** {@link toImageInput} over one input or a list, keeping the shape. */
export async function toImageInputs(input: BrowserImageInput | readonly BrowserImageInput[]): Promise<ImageInput | ImageInput[]> {
  return Array.isArray(input) ? Promise.all(input.map(toImageInput)) : toImageInput(input as BrowserImageInput);
}

/**
 * The checkpoint as the core takes it: a URL (read with fetch by the platform) or a registry tag
 * as it is, bytes for the rest.
 *
 * @example
 * await weightSource(droppedFile) // Uint8Array
 */
export async function weightSource(source: WeightsSource): Promise<string | Uint8Array> {
  if (typeof source === 'string' || source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(await source.arrayBuffer());
}

/** A labelled image for `fit` in a page: a URL (`path`), or the image itself in any browser form. */
export type BrowserLabelledImage =
  | { readonly path: string; readonly label: number }
  | { readonly image: BrowserImageInput; readonly label: number; readonly name?: string };

/** Class names and labelled images from the page (Files, Blobs, canvases, `<img>`, pixels, URLs). */
export interface BrowserDataset {
  readonly classes: readonly string[];
  readonly samples: readonly BrowserLabelledImage[];
}

/**
 * The core's dataset for a page's one: each image becomes encoded bytes or pixels, named by
 * `name`, a File's name, or its place in the list (the name is what skip messages say).
 *
 * @example
 * await toLabelledDataset({ classes: ['cat', 'dog'], samples: [{ image: file, label: 0 }] })
 */
export async function toLabelledDataset(dataset: BrowserDataset): Promise<LabelledDataset> {
  const samples = await Promise.all(dataset.samples.map(async (sample, i) => {
    if (!('image' in sample)) return sample;
    const name = sample.name ?? (typeof File !== 'undefined' && sample.image instanceof File ? sample.image.name : `image ${i}`);
    return { path: name, label: sample.label, image: await toImageInput(sample.image) };
  }));
  return { classes: dataset.classes, samples };
}
