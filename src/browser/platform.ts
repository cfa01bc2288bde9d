/**
 * The browser's platform: URLs and downloads for files, the browser's image decoders,
 * onnxruntime-web (WebGPU or wasm), fflate for zip entries, Cache Storage for published weights.
 * Registered by src/browser/index.ts, the browser entry.
 */
import { inflateSync } from 'fflate';
import type { Compression, Platform } from '../platform/index.js';
import { crc32Table } from '../util/crc32.js';
import { browserEngine } from './engine.js';
import { browserFiles } from './files.js';
import { browserImages } from './images.js';
import { browserWeights } from './weights.js';

const compression: Compression = {
  inflateRaw(data, size) {
    // fflate cuts output at the buffer's end: one spare byte tells an entry longer than it claims.
    return inflateSync(data, { out: new Uint8Array(size + 1) });
  },
  crc32: crc32Table,
};

/** The platform the browser entry registers. */
export const browserPlatform: Platform = {
  name: 'browser',
  files: browserFiles,
  images: browserImages,
  engine: browserEngine,
  compression,
  weights: browserWeights,
  parallelism: typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1,
};
