/**
 * Fashion-MNIST (Zalando, MIT licence) as an image folder: the IDX files (gzip) are read and each
 * 28×28 grey image is written as a PNG under `<root>/<split>/<class>/`, so that the demo trains
 * through the same folder path as `efficientnet finetune`.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../node/files.js';
import { FileFormatError } from '../index.js';

/** Debian's `dataset-fashion-mnist` installs the full set here. */
export const SYSTEM_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Folder names in label order (0 … 9), sortable so that ImageFolder gives the same indices. */
export const FASHION_CLASSES = ['0-tshirt-top', '1-trouser', '2-pullover', '3-dress', '4-coat', '5-sandal', '6-shirt', '7-sneaker', '8-bag', '9-ankle-boot'] as const;

export interface IdxImages {
  /** [N, 28, 28] bytes */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Reads `<dir>/<prefix>-images-idx3-ubyte.gz` and the matching labels (prefix `train` or `t10k`).
 *
 * @example
 * const { count } = await readIdx(SYSTEM_FASHION_MNIST, 't10k'); // 10000
 */
export async function readIdx(dir: string, prefix: 'train' | 't10k'): Promise<IdxImages> {
  const images = gunzipSync(await readFile(join(dir, `${prefix}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(await readFile(join(dir, `${prefix}-labels-idx1-ubyte.gz`)));
  const view = new DataView(images.buffer, images.byteOffset, images.byteLength);
  if (view.getUint32(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) throw new FileFormatError(`${dir}/${prefix}-*: not IDX image and label files (bad magic)`);
  const [count, height, width] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  if (labels.readUInt32BE(4) !== count || images.byteLength !== 16 + count * height * width) throw new FileFormatError(`${dir}/${prefix}-*: counts or sizes disagree`);
  return { pixels: images.subarray(16), labels: labels.subarray(8), count, height, width };
}

/**
 * Writes the first `perClass` images of each class (all when undefined) as PNGs, named by their
 * index in the IDX file. Returns how many were written.
 *
 * @example
 * await writeImageFolder(await readIdx(SYSTEM_FASHION_MNIST, 't10k'), 'data/test', 50);
 */
export async function writeImageFolder(set: IdxImages, root: string, perClass?: number): Promise<number> {
  const taken = new Array<number>(FASHION_CLASSES.length).fill(0);
  const size = set.height * set.width;
  const jobs: Promise<void>[] = [];
  let written = 0;
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    if (perClass !== undefined && taken[label] >= perClass) continue;
    taken[label]++;
    const pixels = set.pixels.subarray(i * size, (i + 1) * size);
    const path = join(root, FASHION_CLASSES[label], `${String(i).padStart(5, '0')}.png`);
    jobs.push(sharp(pixels, { raw: { width: set.width, height: set.height, channels: 1 } }).png({ compressionLevel: 9 }).toBuffer().then((png) => writeFileAtomic(path, png)));
    written++;
    if (jobs.length >= 64) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  return written;
}
