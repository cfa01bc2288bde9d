/**
 * Regenerates the committed subset: `node dist/src/demo/makeSubset.js [source-dir] [out-dir]`.
 * Takes the first 200 training and 50 test images of each class from the IDX files.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SYSTEM_FASHION_MNIST, readIdx, writeImageFolder } from './fashionMnist.js';

const [source = SYSTEM_FASHION_MNIST, out = 'data/fashion-mnist-subset'] = process.argv.slice(2);
await rm(out, { recursive: true, force: true });
const train = await writeImageFolder(await readIdx(source, 'train'), join(out, 'train'), 200);
const test = await writeImageFolder(await readIdx(source, 't10k'), join(out, 'test'), 50);
console.log(`wrote ${train} training and ${test} test images under ${out}`);
