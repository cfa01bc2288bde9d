/** `npm run bench [-- name ...]`: runs the named benchmarks (all by default) and prints their figures. */
import { benchBrowser } from './browser.js';
import { benchFinetune, benchScratch } from './finetune.js';
import { benchForms } from './forms.js';
import { benchGpu } from './gpu.js';
import { benchImages } from './images.js';
import { benchInference } from './inference.js';
import { benchInt8 } from './int8.js';
import { benchLoad } from './load.js';
import { benchTraining } from './train.js';
import { benchV2 } from './v2.js';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  inference: benchInference,
  images: benchImages,
  load: async () => { await benchLoad(); },
  train: () => benchTraining(),
  finetune: benchFinetune,
  scratch: benchScratch,
  forms: () => benchForms(),
  browser: benchBrowser,
  int8: benchInt8,
  v2: benchV2,
  gpu: () => benchGpu(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}. Available: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exitCode = 2;
} else {
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
    console.log(`\n== ${name}`);
    await BENCHMARKS[name]();
  }
}
