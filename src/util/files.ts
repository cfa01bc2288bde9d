/** File helpers shared by every writer: nothing half-written is ever left at the destination. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Writes `data` to a temporary file beside `path`, then renames it over `path`, so readers see
 * either the old file or the complete new one.
 *
 * @example
 * await writeFileAtomic('model.safetensors', bytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string | readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(path) || '.', { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      await writeFile(temporary, data);
    } else {
      await writeFile(temporary, data as Uint8Array[]);
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
