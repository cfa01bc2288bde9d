/** Hand-made hostile checkpoints: pickle opcodes and zip archives written byte by byte. */
import { deflateRawSync } from 'node:zlib';

/** Bytes from opcode text (latin-1) and byte arrays. */
export const bytes = (...parts: (string | number[] | Uint8Array)[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
/** BINUNICODE. */
export const str = (s: string): Buffer => { const b = Buffer.from(s, 'utf8'); return bytes('X', int32(b.byteLength), b); };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; };
/** BININT. */
export const int = (n: number): Buffer => bytes('J', int32(n));
const tuple = (values: readonly number[]) => bytes('(', ...values.map(int), 't');

export interface CraftedTensor {
  readonly key: string;
  readonly storage: string;
  /** Elements of the float32 storage. */
  readonly numel: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly offset?: number;
}

/** A protocol-2 pickle of an OrderedDict of `_rebuild_tensor_v2` tensors, as torch.save writes. */
export function statePickle(tensors: readonly CraftedTensor[]): Buffer {
  const items = tensors.map((t) => bytes(
    str(t.key), 'ctorch._utils\n_rebuild_tensor_v2\n(',
    '(', str('storage'), 'ctorch\nFloatStorage\n', str(t.storage), str('cpu'), int(t.numel), 'tQ',
    int(t.offset ?? 0), tuple(t.shape), tuple(t.stride), '\x89ccollections\nOrderedDict\n)RtR',
  ));
  return bytes('\x80\x02ccollections\nOrderedDict\n)R(', ...items, 'u.');
}

export interface CraftedEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** Store the entry deflated (method 8). */
  readonly deflate?: boolean;
}

const compressed = new WeakMap<Uint8Array, Buffer>();
/** Deflates each buffer once, however many archives hold it (256 MB take a while). */
const deflated = (data: Uint8Array): Buffer => compressed.get(data) ?? compressed.set(data, deflateRawSync(data)).get(data)!;

/** A zip archive (duplicates allowed, CRCs left zero: the reader trusts the central directory). */
export function craftZip(entries: readonly CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = entry.deflate ? deflated(entry.data) : Buffer.from(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.byteLength, 18);
    local.writeUInt32LE(entry.data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(data.byteLength, 20);
    central.writeUInt32LE(entry.data.byteLength, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.byteLength + data.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A zip-format checkpoint: `archive/data.pkl` and `archive/data/<key>` storages. */
export function craftPth(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, deflate = false): Buffer {
  return craftZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data, deflate })),
  ]);
}
