/**
 * Writes a zip archive the way PyTorch's writer lays one out: stored (uncompressed) entries,
 * each entry's data starting on a 64-byte boundary thanks to a padding extra field ("FB"), a
 * fixed 1980 timestamp so the output is reproducible. Returns chunks that reference the entry
 * data instead of copying it.
 */
import { platform } from '../../platform/index.js';
import { header, latin1Bytes, utf8 } from '../../util/bytes.js';
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
 * const chunks = buildZip([{ name: 'archive/version', data: utf8('3\n') }]);
 */
export function buildZip(entries: readonly ZipInput[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = utf8(name);
    // Extra field "FB" + length + 'Z' padding, sized so the data lands on the alignment.
    const bare = offset + 30 + nameBytes.byteLength;
    const padding = (ALIGNMENT - ((bare + 4) % ALIGNMENT)) % ALIGNMENT;
    const extra = latin1Bytes(`FB\0\0${'Z'.repeat(padding)}`);
    new DataView(extra.buffer).setUint16(2, padding, true);
    const crc = platform().compression.crc32(data);
    const local = header(30);
    local.view.setUint32(0, 0x04034b50, true);
    writeCommon(local.view, 4, crc, data.byteLength, nameBytes.byteLength, extra.byteLength);
    const entry = header(46);
    entry.view.setUint32(0, 0x02014b50, true);
    entry.view.setUint16(4, 0, true); // version made by
    writeCommon(entry.view, 6, crc, data.byteLength, nameBytes.byteLength, 0);
    entry.view.setUint32(42, offset, true);
    central.push(entry.bytes, nameBytes);
    chunks.push(local.bytes, nameBytes, extra, data);
    offset += 30 + nameBytes.byteLength + extra.byteLength + data.byteLength;
  }
  const directorySize = central.reduce((sum, c) => sum + c.byteLength, 0);
  if (offset + directorySize > MAX_32 || entries.length > 0xffff) {
    throw new FileFormatError(`a ${offset}-byte archive of ${entries.length} entries needs zip64, which this writer does not produce`);
  }
  const end = header(22);
  end.view.setUint32(0, 0x06054b50, true);
  end.view.setUint16(8, entries.length, true);
  end.view.setUint16(10, entries.length, true);
  end.view.setUint32(12, directorySize, true);
  end.view.setUint32(16, offset, true);
  return [...chunks, ...central, end.bytes];
}

/** Fields shared by local and central headers, from "version needed" on (central: +2 bytes of "made by"). */
function writeCommon(view: DataView, at: number, crc: number, size: number, nameLength: number, extraLength: number): void {
  view.setUint16(at, 0, true); // version needed: PyTorch writes 0 as well
  view.setUint16(at + 2, 0, true); // flags
  view.setUint16(at + 4, 0, true); // method: stored
  view.setUint16(at + 6, 0, true); // time 00:00
  view.setUint16(at + 8, 0x21, true); // date 1980-01-01
  view.setUint32(at + 10, crc, true);
  view.setUint32(at + 14, size, true);
  view.setUint32(at + 18, size, true);
  view.setUint16(at + 22, nameLength, true);
  view.setUint16(at + 24, extraLength, true);
}
