/**
 * Node's platform: the file system, sharp, onnxruntime-node and zlib behind the core's
 * interfaces (src/platform). Registered by src/node/register.ts.
 */
import { access, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';
import type { Compression, Engine, FileAccess, Platform } from '../platform/index.js';
import { writeFileAtomic } from './files.js';
import { readWholeFile } from './readWhole.js';
import { crc32Table } from '../util/crc32.js';
import { fetchPretrained } from './download.js';
import { sharpImages } from './images.js';
import { listFolders, walkFiles } from './walk.js';

const files: FileAccess = {
  read: readWholeFile,
  readText: (path) => readFile(path, 'utf8'),
  write: writeFileAtomic,
  exists: (path) => access(path).then(() => true, () => false),
  listFolders,
  walkFiles,
};

const engine: Engine = {
  InferenceSession: ort.InferenceSession,
  Tensor: ort.Tensor,
  availableProviders: () => ort.listSupportedBackends().map((b) => b.name),
  defaultProviders: async () => ['cpu'],
  spinWait: false, // idle threads sleep: decoding beside inference needs the cores
};

const compression: Compression = {
  inflateRaw: (data, size) => zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, size) }),
  // node:zlib's native CRC-32 where it exists (Node ≥ 20.15), else a table.
  crc32: (zlib as { crc32?: (data: Uint8Array) => number }).crc32 ?? crc32Table,
};

/** The platform the package root registers on Node. */
export const nodePlatform: Platform = {
  name: 'node',
  files,
  images: sharpImages,
  engine,
  compression,
  weights: { fetch: async (file, options) => (await fetchPretrained(file, options)).path },
  parallelism: availableParallelism(),
};
