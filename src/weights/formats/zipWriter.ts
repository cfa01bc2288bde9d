/**
 * Writes a zip archive the way PyTorch's writer lays one out: stored (uncompressed) entries,
 * each entry's data starting on a 64-byte boundary thanks to a padding extra field ("FB"), a
 * fixed 1980 timestamp so the output is reproducible. Returns chunks that reference the entry
 * data instead of copying it.
 */
import * as zlib from 'node:zlib';
import { FileFormatError } from '../../errors.js';

/** PyTorch's kFieldAlignment: storages can be mapped straight from the file. */
const ALIGNMENT = 64;
const MAX_32 = 0xffffffff;

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
}

/**
 * Serialises entries into zip chunks (stored, 64-byte aligned data).
 *
 * @example
 * const chunks = buildZip([{ name: 'archive/version', data: Buffer.from('3\n') }]);
 */
export function buildZip(entries: readonly ZipInput[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    // Extra field "FB" + length + 'Z' padding, sized so the data lands on the alignment.
    const bare = offset + 30 + nameBytes.byteLength;
    const padding = (ALIGNMENT - ((bare + 4) % ALIGNMENT)) % ALIGNMENT;
    const extra = Buffer.alloc(4 + padding, 'Z');
    extra.write('FB', 0, 'latin1');
    extra.writeUInt16LE(padding, 2);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeCommon(local, 4, crc, data.byteLength, nameBytes.byteLength, extra.byteLength);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0, 4); // version made by
    writeCommon(header, 6, crc, data.byteLength, nameBytes.byteLength, 0);
    header.writeUInt32LE(offset, 42);
    central.push(header, nameBytes);
    chunks.push(local, nameBytes, extra, data);
    offset += 30 + nameBytes.byteLength + extra.byteLength + data.byteLength;
  }
  const directorySize = central.reduce((sum, c) => sum + c.byteLength, 0);
  if (offset + directorySize > MAX_32 || entries.length > 0xffff) {
    throw new FileFormatError(`a ${offset}-byte archive of ${entries.length} entries needs zip64, which this writer does not produce`);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  return [...chunks, ...central, end];
}

/** Fields shared by local and central headers, from "version needed" on (central: +2 bytes of "made by"). */
function writeCommon(buffer: Buffer, at: number, crc: number, size: number, nameLength: number, extraLength: number): void {
  buffer.writeUInt16LE(0, at); // version needed: PyTorch writes 0 as well
  buffer.writeUInt16LE(0, at + 2); // flags
  buffer.writeUInt16LE(0, at + 4); // method: stored
  buffer.writeUInt16LE(0, at + 6); // time 00:00
  buffer.writeUInt16LE(0x21, at + 8); // date 1980-01-01
  buffer.writeUInt32LE(crc, at + 10);
  buffer.writeUInt32LE(size, at + 14);
  buffer.writeUInt32LE(size, at + 18);
  buffer.writeUInt16LE(nameLength, at + 22);
  buffer.writeUInt16LE(extraLength, at + 24);
}

let table: Uint32Array | undefined;

/** CRC-32 of the data: node:zlib's native one where it exists (Node ≥ 20.15), else a table. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(data);
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
