/**
 * Writes a state dict as a zip-format `.pth` that `torch.load(path, weights_only=True)` accepts
 * (torch ≥ 1.13): a protocol-2 pickle of an OrderedDict of `_rebuild_tensor_v2` calls whose
 * storages are persistent ids ('storage', torch.FloatStorage | torch.LongStorage, key, 'cpu',
 * numel), one stored zip entry per tensor. Only opcodes torch's weights-only unpickler knows.
 */
import { platform } from '../../platform/index.js';
import { utf8 } from '../../util/bytes.js';
import type { StateDict, Tensor } from '../tensor.js';
import { buildZip } from './zipWriter.js';

/** PyTorch's archive format version (torch 1.6 – 2.x write "3"). */
const FORMAT_VERSION = '3\n';

/** Builds protocol-2 pickle bytes with memoised globals and strings, as Python's pickler would. */
class PickleWriter {
  private readonly parts: number[] = [];
  private readonly memo = new Map<string, number>();

  op(...bytes: number[]): this { this.parts.push(...bytes); return this; }

  int(value: number): this {
    if (value >= 0 && value < 0x100) return this.op(0x4b, value); // BININT1
    if (value >= 0 && value < 0x10000) return this.op(0x4d, value & 0xff, value >> 8); // BININT2
    if (value >= -0x80000000 && value < 0x80000000) return this.op(0x4a, ...le(BigInt(value), 4)); // BININT
    const bytes = le(BigInt(value), 8); // LONG1 (values here are non-negative element counts)
    return this.op(0x8a, bytes.length, ...bytes);
  }

  /** BINUNICODE, or a BINGET of the same string written before. */
  string(text: string, memoise = false): this {
    if (memoise && this.get(`s:${text}`)) return this;
    const bytes = [...utf8(text)];
    this.op(0x58, ...le(BigInt(bytes.length), 4), ...bytes);
    return memoise ? this.put(`s:${text}`) : this;
  }

  global(module: string, name: string): this {
    if (this.get(`g:${module}.${name}`)) return this;
    this.op(0x63, ...utf8(`${module}\n${name}\n`));
    return this.put(`g:${module}.${name}`);
  }

  tuple(values: readonly number[]): this {
    if (values.length === 0) return this.op(0x29); // EMPTY_TUPLE
    this.op(0x28); // MARK
    values.forEach((v) => this.int(v));
    return this.op(0x74); // TUPLE
  }

  bytes(): Uint8Array { return Uint8Array.from(this.parts); }

  private get(key: string): boolean {
    const index = this.memo.get(key);
    if (index === undefined) return false;
    if (index < 0x100) this.op(0x68, index); // BINGET
    else this.op(0x6a, ...le(BigInt(index), 4)); // LONG_BINGET
    return true;
  }

  private put(key: string): this {
    const index = this.memo.size;
    this.memo.set(key, index);
    return index < 0x100 ? this.op(0x71, index) : this.op(0x72, ...le(BigInt(index), 4)); // BINPUT / LONG_BINPUT
  }
}

function le(value: bigint, length: number): number[] {
  return Array.from({ length }, (_, i) => Number((BigInt.asUintN(8 * length, value) >> BigInt(8 * i)) & 0xffn));
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = step; step *= shape[d]; }
  return strides;
}

/** The data.pkl of a state dict whose i-th tensor lives in storage `i`. */
function statePickle(tensors: StateDict): Uint8Array {
  const w = new PickleWriter();
  w.op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x52); // OrderedDict()
  w.op(0x28); // MARK for SETITEMS
  let key = 0;
  for (const [name, tensor] of tensors) {
    w.string(name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    // Persistent id ('storage', type, key, 'cpu', numel), then offset, size, stride, requires_grad, hooks.
    w.op(0x28).string('storage', true).global('torch', tensor.dtype === 'float32' ? 'FloatStorage' : 'LongStorage')
      .string(String(key++)).string('cpu', true).int(tensor.data.length).op(0x74, 0x51);
    w.int(0).tuple(tensor.shape).tuple(rowMajorStrides(tensor.shape)).op(0x89);
    w.global('collections', 'OrderedDict').op(0x29, 0x52, 0x74, 0x52); // OrderedDict(), TUPLE, REDUCE
  }
  return w.op(0x75, 0x2e).bytes(); // SETITEMS, STOP
}

/** Raw little-endian bytes of a tensor, without copying. */
function tensorBytes(tensor: Tensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

/**
 * The chunks of a zip-format `.pth` holding `tensors` (float32 and int64, contiguous).
 *
 * @example
 * const chunks = serializePth(stateDict, 'efficientnet-b0');
 */
export function serializePth(tensors: StateDict, archiveName = 'archive'): Uint8Array[] {
  return buildZip([
    { name: `${archiveName}/data.pkl`, data: statePickle(tensors) },
    ...[...tensors.values()].map((tensor, i) => ({ name: `${archiveName}/data/${i}`, data: tensorBytes(tensor) })),
    { name: `${archiveName}/version`, data: utf8(FORMAT_VERSION) },
  ]);
}

/**
 * Writes a `.pth` atomically; the archive is named after the file, as torch.save names it.
 *
 * @example
 * await writePth('efficientnet-b0.pth', stateDict);
 */
export async function writePth(path: string, tensors: StateDict): Promise<void> {
  await platform().files.write(path, serializePth(tensors, pthArchiveName(path)));
}

/**
 * The archive folder torch.save puts inside a `.pth`: the file's name without its extension.
 *
 * @example
 * pthArchiveName('weights/efficientnet-b0.pth') // 'efficientnet-b0'
 */
export function pthArchiveName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? 'archive').replace(/\.[^.]*$/, '') || 'archive';
}
