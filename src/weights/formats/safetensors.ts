/**
 * safetensors: an 8-byte little-endian header length, a JSON header mapping each name to
 * { dtype, shape, data_offsets } (offsets relative to the data section), then the data.
 * Every length and offset is checked before a byte is read, and files the format's own reader
 * would refuse (offsets that overlap, alias, leave gaps or miss the end of the data; duplicate
 * keys; non-string metadata) are refused too, so that no two tools read one file differently.
 */
import { FileFormatError } from '../../errors.js';
import { shapeSize } from '../../arch/parameters.js';
import { platform } from '../../platform/index.js';
import { utf8 } from '../../util/bytes.js';
import type { StateDict } from '../tensor.js';
import { parseBoundedJson } from './boundedJson.js';
import { DTYPE_BYTES, isFloatDType, readFloats, readInts, type SourceDType } from './dtypes.js';
import { fileBudget, lazyTensor, materialize, type ReadBudget } from './lazy.js';
import { cut } from './messages.js';

const DTYPES: Record<string, SourceDType> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** Largest header we accept (the format's own readers cap it at 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** The header is { name: { dtype, shape: [...], data_offsets: [...] } }: three levels; one spare. */
const MAX_HEADER_DEPTH = 4;

export interface SafetensorsContents {
  readonly tensors: StateDict;
  /** The optional `__metadata__` string map. */
  readonly metadata: Record<string, string>;
}

/** One header entry, checked: where its bytes are in the data section. */
interface Entry { readonly name: string; readonly dtype: SourceDType; readonly shape: number[]; readonly begin: number; readonly end: number }

/**
 * Reads the header and returns lazy tensors (data read on first use, under `budget`).
 *
 * @example
 * const { tensors } = indexSafetensors(bytes, 'model.safetensors'); // shapes now, data on access
 */
export function indexSafetensors(bytes: Uint8Array, source = 'safetensors data', budget: ReadBudget = fileBudget(bytes.byteLength)): SafetensorsContents {
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a valid safetensors file: ${why}`); };
  if (bytes.byteLength < 8) fail(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.byteLength) {
    fail(`the header claims ${headerLength} bytes but the file has ${bytes.byteLength - 8} after the length field`);
  }
  let parsed: ReturnType<typeof parseBoundedJson> = { problem: '' };
  try {
    parsed = parseBoundedJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)), MAX_HEADER_DEPTH);
  } catch (error) {
    fail(`the header is not UTF-8 JSON (${cut((error as Error).message)})`);
  }
  if ('problem' in parsed) return fail(`the header is refused: ${parsed.problem}`);
  const header = parsed.value;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const { entries, metadata, problems } = checkHeader(header as Record<string, unknown>, dataLength);
  if (problems.length === 0) problems.push(...checkLayout(entries, dataLength));
  if (problems.length > 0) fail(problems.join('; '));

  const tensors: StateDict = new Map();
  for (const { name, dtype, shape, begin } of entries) {
    const count = shapeSize(shape);
    const float = isFloatDType(dtype);
    tensors.set(name, lazyTensor(float ? 'float32' : 'int64', shape, (charged) => {
      charged.spend(count * (float ? 4 : 8), `tensor '${cut(name)}'`, source);
      return float ? readFloats(bytes, dataStart + begin, dtype, count) : readInts(bytes, dataStart + begin, dtype, count);
    }, budget));
  }
  return { tensors, metadata };
}

/** Every entry's dtype, shape and offsets, and the metadata's type; all problems at once. */
function checkHeader(header: Record<string, unknown>, dataLength: number): { entries: Entry[]; metadata: Record<string, string>; problems: string[] } {
  const entries: Entry[] = [];
  const problems: string[] = [];
  let metadata: Record<string, string> = {};
  const json = (value: unknown) => cut(JSON.stringify(value) ?? String(value));
  for (const [key, raw] of Object.entries(header)) {
    const name = cut(key);
    if (key === '__metadata__') {
      const values = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? Object.entries(raw) : undefined;
      const bad = values?.find(([, v]) => typeof v !== 'string');
      if (!values || bad) problems.push(`__metadata__ ${bad ? `has '${cut(bad[0])}': ${json(bad[1])}` : `is ${json(raw)}`}, expected a map of strings`);
      else metadata = Object.fromEntries(values) as Record<string, string>;
      continue;
    }
    const info = (typeof raw === 'object' && raw !== null ? raw : {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof info.dtype === 'string' ? DTYPES[info.dtype] : undefined;
    const { shape, data_offsets: offsets } = info;
    if (!dtype) { problems.push(`'${name}' has dtype ${json(info.dtype)}, expected one of ${Object.keys(DTYPES).join(', ')}`); continue; }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) { problems.push(`'${name}' has shape ${json(shape)}, expected a list of non-negative integers`); continue; }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) { problems.push(`'${name}' has data_offsets ${json(offsets)}, expected [begin, end]`); continue; }
    const [begin, end] = offsets as [number, number];
    const expected = shapeSize(shape) * DTYPE_BYTES[dtype];
    if (end < begin || end > dataLength) { problems.push(`'${name}' data_offsets [${begin}, ${end}] fall outside the ${dataLength}-byte data section`); continue; }
    if (end - begin !== expected) { problems.push(`'${name}' spans ${end - begin} bytes but ${dtype} ${json(shape)} needs ${expected}`); continue; }
    entries.push({ name: key, dtype, shape, begin, end });
  }
  return { entries, metadata, problems };
}

/** The format's rule: in offset order, each tensor starts where the previous ended, from 0 to the end of the data. */
function checkLayout(entries: readonly Entry[], dataLength: number): string[] {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | undefined;
  for (const entry of sorted) {
    const here = `'${cut(entry.name)}' [${entry.begin}, ${entry.end}]`;
    const before = previous ? `'${cut(previous.name)}' [${previous.begin}, ${previous.end}]` : 'the start of the data';
    if (entry.begin < at) return [`${here} overlaps ${before}: tensors may not share bytes`];
    if (entry.begin > at) return [`${here} leaves a gap of ${entry.begin - at} bytes after ${before}: the offsets must be contiguous`];
    at = entry.end;
    previous = entry;
  }
  return at === dataLength ? [] : [`the tensors end at byte ${at} of the ${dataLength}-byte data section: ${dataLength - at} bytes belong to no tensor`];
}

/**
 * Parses safetensors bytes, converting floats to float32 and integers to int64.
 *
 * @example
 * const { tensors } = parseSafetensors(await readFile('model.safetensors'));
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  const budget = fileBudget(bytes.byteLength);
  const { tensors, metadata } = indexSafetensors(bytes, source, budget);
  return { tensors: new Map([...tensors].map(([name, tensor]) => [name, materialize(tensor, budget)])), metadata };
}

/**
 * Reads a safetensors file.
 *
 * @example
 * const { tensors } = await readSafetensors('efficientnet-b0.safetensors');
 */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  return parseSafetensors(await platform().files.read(path), path);
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
  const json = utf8(JSON.stringify(header));
  // Space-padding keeps the data section 8-byte aligned, as the format's own writer does.
  const padding = utf8(' '.repeat((8 - (json.byteLength % 8)) % 8));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.byteLength + padding.byteLength), true);
  return [prefix, json, padding, ...chunks];
}

/**
 * Writes a safetensors file atomically (temporary file, then rename).
 *
 * @example
 * await writeSafetensors('out.safetensors', stateDict, { format: 'pt' });
 */
export async function writeSafetensors(path: string, tensors: StateDict, metadata: Record<string, string> = {}): Promise<void> {
  await platform().files.write(path, serializeSafetensors(tensors, metadata));
}
