/**
 * The `root/<class>/<image>` layout of torchvision's `ImageFolder`: class folders sorted by name
 * give the label indices, images anywhere below a class folder belong to it.
 */
import { join } from 'pathe';
import { DatasetError } from '../errors.js';
import { platform } from '../platform/index.js';
import type { ImageInput } from './decode.js';
import { compare, isImagePath, type SkippedPath } from './imagePaths.js';

export interface LabelledImage {
  /** Where the image is read from; with `image`, only its name in messages and split order. */
  readonly path: string;
  readonly label: number;
  /** The image itself, already in memory (encoded bytes or pixels): a page's Blobs and canvases, a generated set. */
  readonly image?: ImageInput;
}

export interface ImageFolderDataset {
  readonly root: string;
  /** Class names, sorted; `classes[label]`. */
  readonly classes: readonly string[];
  readonly samples: readonly LabelledImage[];
  /** Files below class folders that are not images (by extension), reported rather than fatal. */
  readonly skipped: readonly SkippedPath[];
}

export interface ImageFolderOptions {
  /** Fewest classes accepted; 2 by default since a classifier needs two (pass 1 for evaluation). */
  readonly minClasses?: number;
}

/**
 * Reads an image-folder dataset. Errors (`DatasetError`) name the root: no class folders, class
 * folders with no images (all of them at once), or fewer than `minClasses` classes.
 *
 * @example
 * const { classes, samples } = await imageFolder('flowers/train'); // classes ['daisy', 'roses', …]
 */
export async function imageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const minClasses = options.minClasses ?? 2;
  let classes: string[];
  try {
    classes = (await platform().files.listFolders(root)).sort(compare);
  } catch (error) {
    throw new DatasetError(`Cannot read dataset folder '${root}': ${(error as Error).message}`);
  }
  if (classes.length === 0) throw new DatasetError(`Dataset folder '${root}' has no class folders; expected ${root}/<class>/<image>`);
  const samples: LabelledImage[] = [];
  const skipped: SkippedPath[] = [];
  const empty: string[] = [];
  for (const [label, name] of classes.entries()) {
    const files = await platform().files.walkFiles(join(root, name), skipped);
    const images = files.filter(isImagePath);
    for (const path of files.filter((f) => !isImagePath(f))) skipped.push({ path, reason: 'not an image file extension' });
    if (images.length === 0) empty.push(name);
    for (const path of images) samples.push({ path, label });
  }
  if (empty.length > 0) throw new DatasetError(`Dataset folder '${root}': no images in class folder(s) ${empty.map((c) => `'${c}'`).join(', ')}`);
  if (classes.length < minClasses) {
    throw new DatasetError(`Dataset folder '${root}' has ${classes.length} class folder(s) (${classes.join(', ')}); at least ${minClasses} are needed`);
  }
  return { root, classes, samples, skipped };
}
