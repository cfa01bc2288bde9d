/**
 * What PyTorch's pickles may name: the whitelist of globals (tensor and parameter rebuilders,
 * storage types, OrderedDict, a few harmless classes kept as opaque data) and the persistent
 * ids that point at storages. Everything else, `os.system` and `builtins.eval` included, is
 * refused by name. Tensors come out as references into storages; {@link materializeTensor}
 * turns one into a {@link Tensor} once the storage bytes are known.
 */
import { FileFormatError } from '../../errors.js';
import { shapeSize } from '../../arch/parameters.js';
import type { Tensor } from '../tensor.js';
import { DTYPE_BYTES, isFloatDType, readFloats, readInts, type SourceDType } from './dtypes.js';
import { cut } from './messages.js';
import { describe, PickleObject, quote, type PickleGlobal, type UnpickleHooks } from './pickle.js';

/** A storage named by a persistent id: `key` is its zip entry (`data/<key>`) or legacy record. */
export interface StorageRef {
  readonly key: string;
  readonly dtype: SourceDType;
  /** Elements the storage holds. */
  readonly numel: number;
  /** Legacy files only: this storage is a view `numel` elements long at `offset` into `root`. */
  readonly view?: { readonly root: string; readonly offset: number };
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`, not yet read. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** PyTorch's typed storage classes (`torch.FloatStorage` ...) and the dtype each holds. */
export const STORAGE_DTYPES: Readonly<Record<string, SourceDType>> = {
  FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', DoubleStorage: 'float64',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Largest tensor allowed to repeat storage elements (stride 0 broadcasts): 2^24 values. */
const MAX_EXPANDED_ELEMENTS = 1 << 24;

class StorageType {
  constructor(readonly dtype: SourceDType) {}
}

const global = (name: string, call: (args: unknown[]) => unknown): PickleGlobal => ({ name, call });
const opaque = (name: string) => global(name, (args) => new PickleObject(name, args));

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (!(typeof storage === 'object' && storage !== null && 'key' in storage && 'dtype' in storage)) {
    throw new FileFormatError(`_rebuild_tensor expects a storage, got a ${describe(storage)}`);
  }
  const ints = (value: unknown, what: string): number[] => {
    if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw new FileFormatError(`_rebuild_tensor ${what} should be a tuple of non-negative integers`);
    }
    return value as number[];
  };
  const size = ints(shape, 'size');
  const strides = ints(stride, 'stride');
  if (strides.length !== size.length) throw new FileFormatError(`_rebuild_tensor has ${size.length} sizes but ${strides.length} strides`);
  if (!(Number.isSafeInteger(offset) && (offset as number) >= 0)) throw new FileFormatError('_rebuild_tensor storage offset should be a non-negative integer');
  return new TensorRef(storage as StorageRef, offset as number, size, strides);
}

/** `OrderedDict()` or `OrderedDict([(key, value), ...])`. */
function orderedDict(args: unknown[]): Map<unknown, unknown> {
  if (args.length === 0 || (args.length === 1 && Array.isArray(args[0]) && args[0].length === 0)) return new Map();
  const [pairs] = args;
  if (args.length !== 1 || !Array.isArray(pairs)) throw new FileFormatError(`collections.OrderedDict expects one list of (key, value) pairs, got ${args.length} arguments, the first ${quote(pairs)}`);
  const bad = pairs.findIndex((pair) => !Array.isArray(pair) || pair.length !== 2);
  if (bad >= 0) throw new FileFormatError(`collections.OrderedDict expects (key, value) pairs, but item ${bad} is ${quote(pairs[bad])}${Array.isArray(pairs[bad]) ? ` of ${(pairs[bad] as unknown[]).length}` : ''}`);
  return new Map(pairs as [unknown, unknown][]);
}

/** A parameter is its tensor (requires_grad and hooks matter only for training in torch). */
function parameterData(name: string, args: unknown[]): TensorRef {
  if (!(args[0] instanceof TensorRef)) throw new FileFormatError(`${name} expects a tensor, got ${quote(args[0])}`);
  return args[0];
}

/** `torch.Size((d0, d1, ...))`: a tuple of non-negative integers. */
function torchSize(args: unknown[]): number[] {
  const [dims] = args;
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FileFormatError(`torch.Size expects a tuple of non-negative integers, got ${quote(dims)}`);
  return dims as number[];
}

/** `torch.device('cuda', 0)` → 'cuda:0'. */
function torchDevice(args: unknown[]): string {
  const [type, index] = args;
  if (typeof type !== 'string' || args.length > 2 || (args.length === 2 && !(Number.isSafeInteger(index) || index === null))) {
    throw new FileFormatError(`torch.device expects a type string and an optional index, got ${args.map(quote).join(', ') || 'nothing'}`);
  }
  return index === undefined || index === null ? cut(type) : `${cut(type)}:${String(index)}`;
}

const GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map([
  global('collections.OrderedDict', orderedDict),
  global('torch._utils._rebuild_tensor_v2', rebuildTensor),
  global('torch._utils._rebuild_tensor', rebuildTensor),
  // Parameters and their flags (requires_grad, hooks, state) matter only for training in torch.
  ...['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state', 'torch.nn.parameter.Parameter'].map((name) => global(name, (args) => parameterData(name, args))),
  global('torch.Size', torchSize),
  global('torch.device', torchDevice),
  // Training checkpoints also carry hyper-parameters and metrics: kept as inert data.
  opaque('argparse.Namespace'),
  opaque('numpy.core.multiarray.scalar'),
  opaque('numpy.dtype'),
  opaque('_codecs.encode'),
  ...['float16', 'float32', 'float64', 'bfloat16', 'int64', 'int32', 'uint8', 'bool'].map((d) => global(`torch.${d}`, () => d)),
  ...Object.entries(STORAGE_DTYPES).map(([name, dtype]) => global(`torch.${name}`, () => new StorageType(dtype))),
].map((g) => [g.name, g]));

/** Globals allowed as values (GLOBAL pushes these; the storage types are used bare in persistent ids). */
function findGlobal(module: string, name: string): PickleGlobal | StorageType {
  const full = `${module}.${name}`;
  const found = GLOBALS.get(full);
  if (!found) {
    const hint = /^torch\.nn\.|\.model\.|\.models?\./.test(full) ? ' (a pickled model object: save model.state_dict() instead)' : '';
    throw new FileFormatError(`the pickle names the global '${cut(full)}', which is not allowed${hint}; only tensors, storages, OrderedDict and inert data are read`);
  }
  if (module === 'torch' && name in STORAGE_DTYPES) return found.call([]) as StorageType;
  return found;
}

/**
 * Unpickler hooks for a PyTorch checkpoint. Storages are deduplicated by key, so tensors that
 * share one (slices, tied weights) point at the same {@link StorageRef}.
 *
 * @example
 * const { hooks, storages } = torchHooks();
 * const { value } = unpickle(pickleBytes, hooks, 'model.pth');
 */
export function torchHooks(): { hooks: UnpickleHooks; storages: Map<string, StorageRef> } {
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: unknown): StorageRef => {
    // ('storage', storage_type, key, location, numel) in zip files; legacy ones add view_metadata.
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new FileFormatError(`a persistent id is ${Array.isArray(pid) ? `(${quote(pid[0])}, ...) of ${pid.length}` : quote(pid)}, expected ('storage', type, key, location, numel)`);
    }
    const [, type, key, , numel, view] = pid as unknown[];
    if (!(type instanceof StorageType)) throw new FileFormatError(`storage ${quote(key)} has type ${describe(type)}, expected one of torch.${Object.keys(STORAGE_DTYPES).join(', torch.')}`);
    if (typeof key !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) throw new FileFormatError(`storage id ('storage', ..., ${quote(key)}, ..., ${quote(numel)}) has a bad key or size`);
    if (Array.isArray(view)) {
      // Legacy storage views: (view_key, offset, view_numel) inside the root storage `key`.
      const [viewKey, offset, viewNumel] = view as [unknown, unknown, unknown];
      if (typeof viewKey !== 'string' || !Number.isSafeInteger(offset) || !Number.isSafeInteger(viewNumel)) throw new FileFormatError(`storage view of '${cut(key)}' has bad metadata`);
      if (!storages.has(key)) storages.set(key, { key, dtype: type.dtype, numel: numel as number });
      const ref: StorageRef = storages.get(viewKey) ?? { key: viewKey, dtype: type.dtype, numel: viewNumel as number, view: { root: key, offset: offset as number } };
      storages.set(viewKey, ref);
      return ref;
    }
    const existing = storages.get(key);
    if (existing) return existing;
    const ref: StorageRef = { key, dtype: type.dtype, numel: numel as number };
    storages.set(key, ref);
    return ref;
  };
  return { hooks: { findGlobal: findGlobal as (m: string, n: string) => PickleGlobal, persistentLoad }, storages };
}

/**
 * Checks a tensor against its storage before anything is read: the storage (`storageBytes`
 * long) holds `numel` elements, every element the tensor reads lies inside it, and a tensor that
 * repeats elements (zero strides) stays small. Throws a FileFormatError naming the problem.
 *
 * @example
 * checkTensorRef(ref, entry.size, 'model.pth');
 */
export function checkTensorRef(ref: TensorRef, storageBytes: number, source: string): void {
  const { dtype, numel } = ref.storage;
  const key = cut(ref.storage.key);
  const size = DTYPE_BYTES[dtype];
  if (storageBytes < numel * size) {
    throw new FileFormatError(`${source}: storage '${key}' should hold ${numel} ${dtype} values (${numel * size} bytes) but has ${storageBytes} bytes`);
  }
  const count = shapeSize(ref.shape);
  const shape = cut(ref.shape.join(','));
  // Last element read: offset + Σ (size_d − 1)·stride_d must stay inside the storage.
  const last = count === 0 ? -1 : ref.offset + ref.shape.reduce((sum, d, i) => sum + (d - 1) * ref.stride[i], 0);
  if (last >= numel) {
    throw new FileFormatError(`${source}: a tensor of shape [${shape}] at offset ${ref.offset} with strides [${cut(ref.stride.join(','))}] reads element ${last} of storage '${key}', which has ${numel}`);
  }
  // More elements than the storage holds is possible only with overlapping (e.g. zero) strides;
  // bounded so a hostile shape cannot make us allocate gigabytes from a few bytes.
  if (count > Math.max(numel, MAX_EXPANDED_ELEMENTS)) {
    throw new FileFormatError(`${source}: a tensor of shape [${shape}] has ${count} elements but its storage '${key}' only ${numel}`);
  }
}

/**
 * Reads a tensor out of its storage bytes (`storage.numel` elements of its dtype), honouring the
 * storage offset and strides; floats become float32 and integers int64. With `share`, an
 * aligned contiguous float32 / int64 tensor is a view of `storage` instead of a copy (tensors
 * sharing a storage then share memory, as in PyTorch).
 *
 * @example
 * const tensor = materializeTensor(ref, zipEntryBytes, 'model.pth');
 */
export function materializeTensor(ref: TensorRef, storage: Uint8Array, source: string, share = false): Tensor {
  checkTensorRef(ref, storage.byteLength, source);
  const { dtype } = ref.storage;
  const count = shapeSize(ref.shape);
  const contiguous = isContiguous(ref.shape, ref.stride);
  const start = ref.offset * DTYPE_BYTES[dtype];
  const byteOffset = storage.byteOffset + start;
  if (share && contiguous && dtype === 'float32' && byteOffset % 4 === 0) {
    return { dtype: 'float32', shape: [...ref.shape], data: new Float32Array(storage.buffer, byteOffset, count) };
  }
  if (share && contiguous && dtype === 'int64' && byteOffset % 8 === 0) {
    return { dtype: 'int64', shape: [...ref.shape], data: new BigInt64Array(storage.buffer, byteOffset, count) };
  }
  const at = contiguous ? undefined : stridedIndex(ref.shape, ref.stride);
  return isFloatDType(dtype)
    ? { dtype: 'float32', shape: [...ref.shape], data: readFloats(storage, start, dtype, count, at) }
    : { dtype: 'int64', shape: [...ref.shape], data: readInts(storage, start, dtype, count, at) };
}

/** Row-major strides, ignoring dimensions of size 1 (whose stride PyTorch leaves arbitrary). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * Storage index (relative to the offset) of each element in row-major order, as a function to
 * call once per element in order (an odometer: no index array as large as the tensor).
 */
function stridedIndex(shape: readonly number[], stride: readonly number[]): (i: number) => number {
  const position = new Array<number>(shape.length).fill(0);
  let index = 0;
  return () => {
    const current = index;
    // Odometer increment of the multi-index, updating the storage index incrementally.
    for (let d = shape.length - 1; d >= 0; d--) {
      position[d]++;
      index += stride[d];
      if (position[d] < shape[d]) break;
      index -= stride[d] * shape[d];
      position[d] = 0;
    }
    return current;
  };
}
