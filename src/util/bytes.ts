/** Text and little-endian integers to and from bytes, with the platform-neutral Web APIs (no Node `Buffer`). */

const utf8Encoder = new TextEncoder();

/**
 * UTF-8 bytes of `text`.
 *
 * @example
 * utf8('é') // Uint8Array [0xc3, 0xa9]
 */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Latin-1 text of `bytes`: one character per byte, U+0000–U+00FF (TextDecoder's 'latin1' is
 * windows-1252, which differs in 0x80–0x9F).
 *
 * @example
 * latin1Text(new Uint8Array([0x93, 0x4e])) // '\x93N'
 */
export function latin1Text(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

/**
 * Latin-1 bytes of `text` (characters above U+00FF keep their low byte, as Buffer's 'latin1' does).
 *
 * @example
 * latin1Bytes('\x93NUMPY') // Uint8Array [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
 */
export function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

/**
 * A zeroed buffer of `size` bytes with a little-endian DataView over it, for writing headers.
 *
 * @example
 * const { bytes, view } = header(8); view.setBigUint64(0, 42n, true);
 */
export function header(size: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}

/**
 * One buffer holding `chunks` one after another.
 *
 * @example
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]) // Uint8Array [1, 2, 3]
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) out.set(chunk, at), (at += chunk.byteLength);
  return out;
}
