/**
 * safetensors: an 8-byte little-endian header length, a JSON header mapping each name to
 * { dtype, shape, data_offsets } (offsets relative to the data section), then the data.
 * Every length and offset is checked before a byte is read.
 */
import { FileFormatError } from '../../errors.js';
import { shapeSize } from '../../arch/parameters.js';
import { writeFileAtomic } from '../../util/files.js';
import type { StateDict, Tensor } from '../tensor.js';
import { DTYPE_BYTES, isFloatDType, readFloats, readInts, type SourceDType } from './dtypes.js';
import { readWholeFile } from './readWhole.js';

const DTYPES: Record<string, SourceDType> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** Largest header we accept (the format's own readers cap it at 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsContents {
  readonly tensors: StateDict;
  /** The optional `__metadata__` string map. */
  readonly metadata: Record<string, string>;
}

/**
 * Parses safetensors bytes, converting floats to float32 and integers to int64.
 *
 * @example
 * const { tensors } = parseSafetensors(await readFile('model.safetensors'));
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a valid safetensors file: ${why}`); };
  if (bytes.byteLength < 8) fail(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.byteLength) {
    fail(`the header claims ${headerLength} bytes but the file has ${bytes.byteLength - 8} after the length field`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`the header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors: StateDict = new Map();
  let metadata: Record<string, string> = {};
  const problems: string[] = [];
  const entries = Object.entries(header as Record<string, unknown>);
  for (const [name, raw] of entries) {
    if (name === '__metadata__') {
      metadata = Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof info?.dtype === 'string' ? DTYPES[info.dtype] : undefined;
    const shape = info?.shape;
    const offsets = info?.data_offsets;
    if (!dtype) { problems.push(`'${name}' has dtype ${JSON.stringify(info?.dtype)}, expected one of ${Object.keys(DTYPES).join(', ')}`); continue; }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) { problems.push(`'${name}' has shape ${JSON.stringify(shape)}, expected a list of non-negative integers`); continue; }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) { problems.push(`'${name}' has data_offsets ${JSON.stringify(offsets)}, expected [begin, end]`); continue; }
    const [begin, end] = offsets as [number, number];
    const expected = shapeSize(shape) * DTYPE_BYTES[dtype];
    if (end < begin || end > dataLength) { problems.push(`'${name}' data_offsets [${begin}, ${end}] fall outside the ${dataLength}-byte data section`); continue; }
    if (end - begin !== expected) { problems.push(`'${name}' spans ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${expected}`); continue; }
    const count = shapeSize(shape);
    const tensor: Tensor = isFloatDType(dtype)
      ? { dtype: 'float32', shape, data: readFloats(bytes, dataStart + begin, dtype, count) }
      : { dtype: 'int64', shape, data: readInts(bytes, dataStart + begin, dtype, count) };
    tensors.set(name, tensor);
  }
  if (problems.length > 0) fail(problems.join('; '));
  return { tensors, metadata };
}

/**
 * Reads a safetensors file.
 *
 * @example
 * const { tensors } = await readSafetensors('efficientnet-b0.safetensors');
 */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  return parseSafetensors(await readWholeFile(path), path);
}

/**
 * Serialises tensors (float32 as F32, int64 as I64) with optional string metadata.
 *
 * @example
 * const bytes = serializeSafetensors(new Map([['w', floatTensor([1], new Float32Array([1]))]]));
 */
export function serializeSafetensors(tensors: StateDict, metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const [name, tensor] of tensors) {
    const data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    header[name] = { dtype: tensor.dtype === 'float32' ? 'F32' : 'I64', shape: tensor.shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    chunks.push(data);
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // Space-padding keeps the data section 8-byte aligned, as the format's own writer does.
  const headerBytes = Buffer.concat([json, Buffer.from(' '.repeat((8 - (json.byteLength % 8)) % 8))]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  return [prefix, headerBytes, ...chunks];
}

/**
 * Writes a safetensors file atomically (temporary file, then rename).
 *
 * @example
 * await writeSafetensors('out.safetensors', stateDict, { format: 'pt' });
 */
export async function writeSafetensors(path: string, tensors: StateDict, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
