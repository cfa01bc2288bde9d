/** Small real datasets for the fine-tuning tests: slices of the committed Fashion-MNIST subset. */
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../support/fixtures.js';
import { imageFolder } from '../../src/data/imageFolder.js';
import type { LabelledDataset } from '../../src/finetune/dataset.js';
import { EfficientNet } from '../../src/index.js';

export const SUBSET = join(FIXTURES, '..', '..', 'data', 'fashion-mnist-subset');

/** The first `perClass` images of each class of the subset's `split`. */
export async function fashion(split: 'train' | 'test', perClass: number, classes?: number): Promise<LabelledDataset> {
  const all = await imageFolder(join(SUBSET, split));
  const keep = classes ?? all.classes.length;
  const taken = new Array<number>(keep).fill(0);
  const samples = all.samples.filter((s) => s.label < keep && taken[s.label]++ < perClass);
  return { classes: all.classes.slice(0, keep), samples };
}

/** A temporary image folder with `perClass` images of each named class folder. */
export async function folderOf(classes: readonly string[], perClass: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'efficientnet-ft-'));
  const source = join(SUBSET, 'train');
  const sources = (await readdir(source)).sort();
  for (const [i, name] of classes.entries()) {
    await mkdir(join(root, name), { recursive: true });
    const from = join(source, sources[i % sources.length]);
    for (const file of (await readdir(from)).sort().slice(0, perClass)) await cp(join(from, file), join(root, name, file));
  }
  return root;
}

/** B0 for 32×32 grey images, freshly initialised, as the demo trains it. */
export function smallNet(seed = 0): EfficientNet {
  return EfficientNet.fromName('efficientnet-b0', { numClasses: 10, inChannels: 1, imageSize: 32, batchNormMomentum: 0.1, seed, runtime: { intraOpThreads: 2 } });
}
