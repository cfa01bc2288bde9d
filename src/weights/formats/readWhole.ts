/**
 * Reads a whole (large) file into one buffer with several positional reads in flight: libuv runs
 * them on its thread pool, so the kernel's copy and page-faulting of a 266 MB checkpoint is
 * spread over the cores. About twice as fast as `readFile`, which reads 512 KiB at a time.
 */
import { open, readFile } from 'node:fs/promises';

const CHUNK = 8 << 20;
/** libuv's default thread-pool size: more reads in flight would only queue. */
const IN_FLIGHT = 4;

/**
 * The file's bytes, in a buffer of its own (byteOffset 0, so typed-array views align).
 *
 * @example
 * const bytes = await readWholeFile('efficientnet-b7.pth');
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size < 2 * CHUNK) return await readFile(file);
    // Uninitialised: every byte is overwritten below, and zero-filling 266 MB costs as much as reading it.
    const buffer = Buffer.allocUnsafeSlow(size);
    let next = 0;
    const worker = async () => {
      for (let at = next; at < size; at = next) {
        next += CHUNK;
        const end = Math.min(size, at + CHUNK);
        for (let offset = at; offset < end;) {
          const { bytesRead } = await file.read(buffer, offset, end - offset, offset);
          if (bytesRead === 0) throw new Error(`${path} shrank while being read (${offset} of ${size} bytes)`);
          offset += bytesRead;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return buffer;
  } finally {
    await file.close();
  }
}
