/**
 * A zip reader for PyTorch archives, over bytes already in memory. PyTorch stores entries
 * uncompressed (and 64-byte aligned), so an entry's data is a zero-copy `subarray` of the file;
 * deflated entries (a re-zipped checkpoint) are inflated. Sizes and offsets come from the
 * central directory, zip64 included (PyTorch's local headers leave them zero and append a data
 * descriptor). Every offset is checked against the file length before use, and an archive with two
 * entries of one name is refused: PyTorch reads the first, most zip tools the last.
 */
import { platform } from '../../platform/index.js';
import { FileFormatError } from '../../errors.js';
import { cut } from './messages.js';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

const utf8 = new TextDecoder('utf-8');

/**
 * Lists the entries of a zip archive by name.
 *
 * @example
 * const entries = readZipDirectory(await readFile('model.pth'), 'model.pth');
 * entries.has('archive/data.pkl') // true
 */
export function readZipDirectory(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a readable zip archive: ${why}`); };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inside = (offset: number, length: number) => offset >= 0 && length >= 0 && offset + length <= bytes.byteLength;

  // The end-of-central-directory record sits in the last 22 + comment bytes.
  let eocd = -1;
  for (let p = bytes.byteLength - 22; p >= Math.max(0, bytes.byteLength - 22 - MAX_COMMENT); p--) {
    if (view.getUint32(p, true) === EOCD) { eocd = p; break; }
  }
  if (eocd < 0) fail(`no end-of-central-directory record in its last ${Math.min(bytes.byteLength, 22 + MAX_COMMENT)} bytes (truncated?)`);
  let count = view.getUint16(eocd + 10, true);
  let directorySize = view.getUint32(eocd + 12, true);
  let directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (!inside(locator, 20) || view.getUint32(locator, true) !== ZIP64_LOCATOR) fail('its sizes overflow 32 bits but the zip64 locator is missing');
    const record = safeNumber(view.getBigUint64(locator + 8, true));
    if (!inside(record, 56) || view.getUint32(record, true) !== ZIP64_EOCD) fail(`the zip64 end record at byte ${record} is missing`);
    count = safeNumber(view.getBigUint64(record + 32, true));
    directorySize = safeNumber(view.getBigUint64(record + 40, true));
    directoryOffset = safeNumber(view.getBigUint64(record + 48, true));
  }
  if (!inside(directoryOffset, directorySize)) fail(`the central directory (${directorySize} bytes at byte ${directoryOffset}) lies outside the ${bytes.byteLength}-byte file (truncated?)`);

  const entries = new Map<string, ZipEntry>();
  let p = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (!inside(p, 46) || view.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${i} at byte ${p} is damaged`);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (!inside(p + 46, nameLength + extraLength + commentLength)) fail(`central directory entry ${i} runs past the end of the file`);
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    // Zip64 extended information (id 1) holds, in this order, whichever fields overflowed.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength;) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const next = () => { if (q + 8 > e + 4 + length) fail(`entry '${cut(name)}' has a short zip64 field`); const v = safeNumber(view.getBigUint64(q, true)); q += 8; return v; };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    if (entries.has(name)) fail(`it has two entries named '${cut(name)}' (PyTorch would read the first, other tools the last), so what it holds is ambiguous`);
    entries.set(name, { name, method: view.getUint16(p + 10, true), compressedSize, size, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The bytes of one entry: a view into `bytes` when stored, a new buffer when deflated.
 *
 * @example
 * const pickle = readZipEntry(bytes, entries.get('archive/data.pkl')!, 'model.pth');
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, source: string): Uint8Array {
  const fail = (why: string): never => { throw new FileFormatError(`${source}: zip entry '${cut(entry.name)}' ${why}`); };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.byteLength || view.getUint32(header, true) !== LOCAL) fail(`has no local header at byte ${header}`);
  // The local name and extra lengths may differ from the central ones (PyTorch pads here to align the data).
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.byteLength) fail(`needs bytes ${start}–${end} but the file has ${bytes.byteLength} (truncated?)`);
  const data = bytes.subarray(start, end);
  if (entry.method === 0) return data;
  if (entry.method !== 8) fail(`uses compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`);
  // Deflate cannot expand more than 1032:1, so a larger claimed size is a lie (or a zip bomb).
  if (entry.size > (entry.compressedSize + 1) * 1032) fail(`claims to inflate ${entry.compressedSize} bytes to ${entry.size}, beyond deflate's 1032:1 limit`);
  try {
    const inflated = platform().compression.inflateRaw(data, entry.size);
    if (inflated.byteLength !== entry.size) fail(`inflates to ${inflated.byteLength} bytes, expected ${entry.size}`);
    return inflated;
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    return fail(`cannot be inflated (${(error as Error).message})`);
  }
}

function safeNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
}
