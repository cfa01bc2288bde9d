/**
 * PyTorch `.pth` files, both layouts, down to "a pickled value plus a way to get each storage's
 * bytes": the zip format of torch ≥ 1.6 (`<archive>/data.pkl`, `<archive>/data/<key>`) and the
 * legacy stream of torch < 1.6 (magic number, protocol version, sys_info, the main pickle, the
 * storage keys, then each storage as an int64 element count and its raw bytes).
 */
import { FileFormatError } from '../../errors.js';
import { DTYPE_BYTES } from './dtypes.js';
import type { ReadBudget } from './lazy.js';
import { cut } from './messages.js';
import { quote, unpickle } from './pickle.js';
import { torchHooks, type StorageRef } from './torchPickle.js';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

/** The unpickled object and the bytes behind its storages. */
export interface PickledCheckpoint {
  readonly value: unknown;
  /** The storage's length in bytes, known without reading it (a deflated entry's declared size). */
  storageSize(ref: StorageRef): number;
  /** The bytes of a storage, loaded on demand: a deflated one is inflated once, charged to `budget`. */
  storage(ref: StorageRef, budget: ReadBudget): Uint8Array;
}

/** The legacy format's magic number, the first pickle of the file. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/**
 * Reads a zip-format `.pth`: finds `data.pkl` under whatever archive prefix the file uses.
 *
 * @example
 * const { value, storage } = readPthZip(await readFile('model.pth'), 'model.pth');
 */
export function readPthZip(bytes: Uint8Array, source: string): PickledCheckpoint {
  const entries = readZipDirectory(bytes, source);
  const pickles = [...entries.keys()].filter((name) => /^[^/]*\/?data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new FileFormatError(`${source} is a zip archive but not a PyTorch checkpoint: expected one '<archive>/data.pkl', found ${pickles.length} among ${entries.size} entries`);
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(readZipEntry(bytes, byteorder, source)).trim() !== 'little') {
    throw new FileFormatError(`${source} stores big-endian tensors; only little-endian checkpoints are supported`);
  }
  const { hooks } = torchHooks();
  const { value } = unpickle(readZipEntry(bytes, entries.get(pickles[0])!, source), hooks, `${source} (${cut(pickles[0])})`);
  const entryOf = (ref: StorageRef): ZipEntry => {
    const entry = entries.get(`${prefix}data/${ref.key}`);
    if (!entry) throw new FileFormatError(`${source} has no entry '${cut(`${prefix}data/${ref.key}`)}' for a storage its pickle names`);
    return entry;
  };
  // Inflated storages, so that tensors viewing one storage inflate it once between them.
  const inflated = new Map<string, Uint8Array>();
  return {
    value,
    storageSize: (ref) => entryOf(ref).size,
    storage(ref, budget) {
      const entry = entryOf(ref);
      if (entry.method === 0) return readZipEntry(bytes, entry, source); // a view of the file: costs nothing
      let data = inflated.get(entry.name);
      if (!data) {
        budget.spend(entry.size, `storage '${cut(ref.key)}' (deflated, ${entry.compressedSize} bytes in the file)`, source);
        data = readZipEntry(bytes, entry, source);
        inflated.set(entry.name, data);
      }
      return data;
    },
  };
}

/**
 * Reads a legacy (torch < 1.6) `.pth` stream.
 *
 * @example
 * const { value, storage } = readPthLegacy(await readFile('old.pth'), 'old.pth');
 */
export function readPthLegacy(bytes: Uint8Array, source: string): PickledCheckpoint {
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a legacy PyTorch checkpoint: ${why}`); };
  const header = { findGlobal: (module: string, name: string): never => { throw new FileFormatError(`the legacy header names the global '${cut(`${module}.${name}`)}'`); } };
  const magic = unpickle(bytes, header, source, 0);
  if (magic.value !== LEGACY_MAGIC) fail(`the magic number is ${quote(magic.value)}, expected 0x${LEGACY_MAGIC.toString(16)}`);
  const version = unpickle(bytes, header, source, magic.end);
  if (version.value !== LEGACY_PROTOCOL_VERSION) fail(`protocol version ${quote(version.value)}, expected ${LEGACY_PROTOCOL_VERSION}`);
  const sysInfo = unpickle(bytes, header, source, version.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) fail('it was written on a big-endian machine');
  const { hooks, storages } = torchHooks();
  const main = unpickle(bytes, hooks, source, sysInfo.end);
  const keys = unpickle(bytes, header, source, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) fail('the storage key list is not a list of strings');

  // Records follow in key order: int64 element count, then count × element-size bytes.
  const records = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const ref = storages.get(key) ?? fail(`storage '${cut(key)}' is listed but no tensor uses it`);
    if (pos + 8 > bytes.byteLength) fail(`the file ends at byte ${bytes.byteLength} before storage '${cut(key)}' (truncated?)`);
    const count = Number(view.getBigInt64(pos, true));
    const length = count * DTYPE_BYTES[ref.dtype];
    if (!(count >= 0 && pos + 8 + length <= bytes.byteLength)) fail(`storage '${cut(key)}' claims ${count} ${ref.dtype} values but the file ends at byte ${bytes.byteLength} (truncated?)`);
    records.set(key, bytes.subarray(pos + 8, pos + 8 + length));
    pos += 8 + length;
  }
  // Records are views of the file: reading one costs nothing, so the budget is not charged.
  const storage = (ref: StorageRef): Uint8Array => {
    const root = ref.view ? ref.view.root : ref.key;
    const record = records.get(root) ?? fail(`storage '${cut(root)}' is used but has no record`);
    if (!ref.view) return record;
    const size = DTYPE_BYTES[ref.dtype];
    return record.subarray(ref.view.offset * size, (ref.view.offset + ref.numel) * size);
  };
  return { value: main.value, storageSize: (ref) => storage(ref).byteLength, storage };
}
