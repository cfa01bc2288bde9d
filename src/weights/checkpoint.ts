/**
 * One entry point for every checkpoint file: the format is told by its first bytes (zip `.pth`,
 * legacy `.pth`, safetensors), training wrappers (`{ state_dict, epoch, ... }`) are unwrapped,
 * and the `module.` / `_orig_mod.` prefixes of DataParallel and torch.compile are stripped.
 * The index (names, dtypes, shapes, storages) is read and checked first; tensor data is read
 * only when asked for, under a byte budget, so that {@link openCheckpoint} plus a loader that
 * checks keys and shapes first never reads what the model does not need.
 */
import { FileFormatError } from '../errors.js';
import type { StateDict } from './tensor.js';
import { platform } from '../platform/index.js';
import { readPthLegacy, readPthZip } from './formats/pth.js';
import { pthArchiveName, serializePth } from './formats/pthWriter.js';
import { indexSafetensors, serializeSafetensors } from './formats/safetensors.js';
import { shapeSize } from '../arch/parameters.js';
import { DTYPE_BYTES, isFloatDType } from './formats/dtypes.js';
import { fileBudget, lazyTensor, materialize } from './formats/lazy.js';
import { cut } from './formats/messages.js';
import { quote } from './formats/pickle.js';
import { checkTensorRef, materializeTensor, TensorRef } from './formats/torchPickle.js';

export type CheckpointFormat = 'pth-zip' | 'pth-legacy' | 'safetensors';

export interface Checkpoint {
  /** Keys as in the file, less wrapper and `module.` / `_orig_mod.` prefixes, in file order. */
  readonly tensors: StateDict;
  readonly format: CheckpointFormat;
  /** The wrapper key the weights came from (`state_dict`, `model_ema`, ...), if any. */
  readonly wrapper?: string;
  /** A safetensors file's `__metadata__` strings (empty for .pth). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ReadCheckpointOptions {
  /** Prefer the EMA weights (`state_dict_ema`, `model_ema`) when the file has both. Default false. */
  ema?: boolean;
  /** Name used in error messages when reading bytes. Default 'checkpoint'. */
  source?: string;
}

const PLAIN_WRAPPERS = ['state_dict', 'model'] as const;
const EMA_WRAPPERS = ['state_dict_ema', 'model_ema'] as const;
const PREFIXES = ['module.', '_orig_mod.'];

/**
 * Reads a checkpoint from a path or from bytes, every tensor's data included (within a budget
 * of a few times the file's size).
 *
 * @example
 * const { tensors, format } = await readCheckpoint('efficientnet-b0-355c32eb.pth');
 * tensors.get('_fc.weight')?.shape // [1000, 1280]
 */
export async function readCheckpoint(input: string | Uint8Array, options: ReadCheckpointOptions = {}): Promise<Checkpoint> {
  if (typeof input === 'string') return parseCheckpoint(await platform().files.read(input), { ...options, source: input });
  return parseCheckpoint(input, options);
}

/**
 * A checkpoint's index from a path or bytes: names, dtypes and shapes now, each tensor's data on first
 * use (see {@link indexCheckpoint}).
 *
 * @example
 * const { tensors } = await openCheckpoint('efficientnet-b0.pth'); // loadStateDict reads only what fits
 */
export async function openCheckpoint(input: string | Uint8Array, options: ReadCheckpointOptions = {}): Promise<Checkpoint> {
  if (typeof input === 'string') return indexCheckpoint(await platform().files.read(input), { ...options, source: input });
  return indexCheckpoint(input, options);
}

/**
 * {@link readCheckpoint} over bytes already in memory (synchronous).
 *
 * @example
 * const { tensors } = parseCheckpoint(bytes, { source: 'upload.pth' });
 */
export function parseCheckpoint(bytes: Uint8Array, options: ReadCheckpointOptions = {}): Checkpoint {
  const checkpoint = indexCheckpoint(bytes, options);
  const budget = fileBudget(bytes.byteLength);
  const tensors: StateDict = new Map([...checkpoint.tensors].map(([key, tensor]) => [key, materialize(tensor, budget)]));
  return { ...checkpoint, tensors };
}

/**
 * Reads and checks a checkpoint's index (every storage present and large enough for the tensors
 * that view it) and returns lazy tensors: `data` is read on first access, under a budget of a
 * few times the file's size, or under the caller's budget through `materialize`.
 *
 * @example
 * const { tensors } = indexCheckpoint(bytes, { source: 'upload.pth' });
 * tensors.get('_fc.weight')?.shape // [1000, 1280], nothing read yet
 */
export function indexCheckpoint(bytes: Uint8Array, options: ReadCheckpointOptions = {}): Checkpoint {
  const source = options.source ?? 'checkpoint';
  const format = detectFormat(bytes, source);
  const budget = fileBudget(bytes.byteLength);
  if (format === 'safetensors') {
    const { tensors, metadata } = indexSafetensors(bytes, source, budget);
    return { tensors: stripPrefixes(tensors, source), format, metadata };
  }
  const pickled = format === 'pth-zip' ? readPthZip(bytes, source) : readPthLegacy(bytes, source);
  const { refs, wrapper } = findStateDict(pickled.value, options.ema ?? false, source);
  for (const ref of refs.values()) checkTensorRef(ref, pickled.storageSize(ref.storage), source);
  // Views into the file buffer save a copy of every tensor (the bulk of the load time), but keep
  // the whole file alive: worth it only when the weights are most of the file (not, say, a
  // training checkpoint that also holds EMA weights and optimizer state).
  const storages = new Set([...refs.values()].map((ref) => ref.storage));
  const weightBytes = [...storages].reduce((sum, s) => sum + s.numel * DTYPE_BYTES[s.dtype], 0);
  const share = weightBytes >= bytes.byteLength / 2;
  const tensors: StateDict = new Map();
  for (const [key, ref] of refs) {
    const float = isFloatDType(ref.storage.dtype);
    const count = shapeSize(ref.shape);
    tensors.set(key, lazyTensor(float ? 'float32' : 'int64', [...ref.shape], (charged) => {
      const storage = pickled.storage(ref.storage, charged);
      charged.spend(count * (float ? 4 : 8), `tensor '${cut(key)}'`, source);
      return materializeTensor(ref, storage, source, share).data;
    }, budget));
  }
  return { tensors: stripPrefixes(tensors, source), format, wrapper, metadata: {} };
}

/**
 * The format a file's first bytes announce.
 *
 * @example
 * detectFormat(Buffer.from('PK\x03\x04'), 'x.pth') // 'pth-zip'
 */
export function detectFormat(bytes: Uint8Array, source: string): CheckpointFormat {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05)) return 'pth-zip';
  if (bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pth-legacy';
  // safetensors: an 8-byte header length, then the JSON header's '{'.
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FileFormatError(`${source} is not a checkpoint: expected a PyTorch zip (50 4b 03 04), a legacy PyTorch pickle (80 02) or safetensors (8-byte length then '{'); it starts with ${head || 'nothing (empty file)'}`);
}

/** The map of tensors inside the unpickled value: the value itself or one of its wrapper keys. */
function findStateDict(value: unknown, ema: boolean, source: string): { refs: Map<string, TensorRef>; wrapper?: string } {
  const asTensors = (candidate: unknown): Map<string, TensorRef> | undefined => {
    if (!(candidate instanceof Map) || candidate.size === 0) return undefined;
    for (const [key, tensor] of candidate) if (typeof key !== 'string' || !(tensor instanceof TensorRef)) return undefined;
    return candidate as Map<string, TensorRef>;
  };
  const direct = asTensors(value);
  if (direct) return { refs: direct };
  if (value instanceof Map) {
    for (const wrapper of ema ? [...EMA_WRAPPERS, ...PLAIN_WRAPPERS] : [...PLAIN_WRAPPERS, ...EMA_WRAPPERS]) {
      const refs = asTensors(value.get(wrapper));
      if (refs) return { refs, wrapper };
    }
  }
  const keys = value instanceof Map ? [...value.keys()].slice(0, 8).map(quote).join(', ') : '';
  throw new FileFormatError(`${source} holds no state dict: expected a dict of tensors, or one under '${[...PLAIN_WRAPPERS, ...EMA_WRAPPERS].join("', '")}'; found ${keys ? `a dict with keys ${keys}` : quote(value)}`);
}

/** Drops leading `module.` / `_orig_mod.` (in any order, repeated), refusing keys that collide. */
function stripPrefixes(tensors: StateDict, source: string): StateDict {
  const out: StateDict = new Map();
  for (const [key, tensor] of tensors) {
    let stripped = key;
    for (let changed = true; changed;) {
      changed = false;
      for (const prefix of PREFIXES) if (stripped.startsWith(prefix)) { stripped = stripped.slice(prefix.length); changed = true; }
    }
    if (out.has(stripped)) throw new FileFormatError(`${source} has both '${cut(key)}' and another key that becomes '${cut(stripped)}' without its wrapper prefix`);
    out.set(stripped, tensor);
  }
  return out;
}

/**
 * Writes tensors as a zip-format `.pth` (loadable with `torch.load(path, weights_only=True)`)
 * or as safetensors, atomically.
 *
 * @example
 * await writeCheckpoint('efficientnet-b0.safetensors', tensors, 'safetensors');
 */
export async function writeCheckpoint(path: string, tensors: StateDict, format: 'pth' | 'safetensors', metadata: Record<string, string> = {}): Promise<void> {
  await platform().files.write(path, serializeCheckpoint(path, tensors, format, metadata));
}

/**
 * The chunks {@link writeCheckpoint} writes to `path` (its name names a `.pth`'s archive folder),
 * for platforms that hand bytes to the user instead of a file system (a browser download).
 *
 * @example
 * const chunks = serializeCheckpoint('b0.pth', tensors, 'pth');
 */
export function serializeCheckpoint(path: string, tensors: StateDict, format: 'pth' | 'safetensors', metadata: Record<string, string> = {}): Uint8Array[] {
  return format === 'pth' ? serializePth(tensors, pthArchiveName(path)) : serializeSafetensors(tensors, { format: 'pt', ...metadata });
}
