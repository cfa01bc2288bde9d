/** CRC-32 (the zip and PNG polynomial, 0xEDB88320 reflected) by table, for platforms without a native one. */

let table: Uint32Array | undefined;

/**
 * CRC-32 of `data`, computed a byte at a time from a 256-entry table.
 *
 * @example
 * crc32Table(new TextEncoder().encode('123456789')) // 0xcbf43926
 */
export function crc32Table(data: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
