/**
 * The one rule for writing an output file. A regular file (or a new path) is written to a
 * recognisable temporary file beside it and renamed into place, so readers see the old file or
 * the complete new one; a symlink is followed first, so its target is what gets replaced. Device
 * nodes, FIFOs, sockets and `/proc/self/fd/N` are written straight through: renaming over
 * `/dev/null` would replace it for the whole system. Every failure is a {@link FileWriteError}
 * naming the user's path, never the temporary one.
 */
import { mkdir, open, readdir, readlink, realpath, rename, rm, stat, chmod } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileWriteError } from '../errors.js';

type Data = Uint8Array | string | readonly Uint8Array[];

/** Marks temporary files: `.<name>.efficientnet-tmp-<pid>-<n>`, so a later run can tell whose they are. */
const TEMP_MARK = '.efficientnet-tmp-';
let counter = 0;

/**
 * Writes `data` to `path`: atomically for regular files and new paths, straight through for
 * device nodes, FIFOs and file-descriptor aliases. Temporary files left by killed runs (their
 * process is gone) beside the destination are removed first.
 *
 * @example
 * await writeFileAtomic('model.safetensors', bytes);
 * await writeFileAtomic('/dev/null', bytes); // written through; /dev/null stays a device
 */
export async function writeFileAtomic(path: string, data: Data): Promise<void> {
  try {
    const stream = STANDARD_STREAMS[path];
    if (stream) return await writeStream(stream, data);
    const target = await writeTarget(path);
    if (target.direct) return await writeThrough(path, data);
    await atomicReplace(target.path, data, target.mode);
  } catch (error) {
    throw FileWriteError.from(error, path);
  }
}

/**
 * `writeFileAtomic`, except that `-` means standard output (for `.npy` and `.jsonl` outputs
 * that a pipe reads).
 *
 * @example
 * await writeOutput(opts.output, serializeNpy(y)); // '-' → stdout
 */
export async function writeOutput(path: string, data: Data): Promise<void> {
  if (path !== '-') return writeFileAtomic(path, data);
  try {
    await writeStream(process.stdout, data);
  } catch (error) {
    throw FileWriteError.from(error, 'standard output');
  }
}

/** Standard output and error go through Node's streams (they may be sockets, which cannot be reopened by path). */
const STANDARD_STREAMS: Record<string, NodeJS.WriteStream> = {
  '/dev/stdout': process.stdout, '/dev/stderr': process.stderr, '/dev/fd/1': process.stdout, '/dev/fd/2': process.stderr,
  '/proc/self/fd/1': process.stdout, '/proc/self/fd/2': process.stderr,
  [`/proc/${process.pid}/fd/1`]: process.stdout, [`/proc/${process.pid}/fd/2`]: process.stderr,
};

async function writeStream(stream: NodeJS.WritableStream, data: Data): Promise<void> {
  // A closed pipe (EPIPE) reaches the write callback below; without a listener the stream's
  // 'error' event would also end the process with a stack trace.
  if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
  for (const chunk of chunks) {
    await new Promise<void>((done, fail) => stream.write(chunk, (error) => (error ? fail(error) : done())));
  }
}

/** Where to write and how: through the original path, or by temp-and-rename onto the resolved regular file. */
async function writeTarget(path: string): Promise<{ direct: true } | { direct: false; path: string; mode?: number }> {
  // File-descriptor aliases point at whatever the descriptor is (a pipe, a terminal, a file
  // opened with O_APPEND): renaming over their target would bypass the descriptor.
  if (/^\/(proc\/(self|\d+)\/fd|dev\/fd)\//.test(path)) return { direct: true };
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  if (info && !info.isFile()) return { direct: true };
  return { direct: false, path: await resolveLinks(path), mode: info ? info.mode & 0o7777 : undefined };
}

/** `path` with every symlink resolved, also when the last link's target does not exist yet. */
async function resolveLinks(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const real = await realpath(current).catch(() => undefined);
    if (real) return real;
    const target = await readlink(current).catch(() => undefined);
    if (target === undefined) {
      // A new file: resolve its folder (which may itself be reached through links).
      const folder = await realpath(dirname(current)).catch(() => dirname(current));
      return join(folder, basename(current));
    }
    current = resolve(dirname(current), target);
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
}

async function writeThrough(path: string, data: Data): Promise<void> {
  const file = await open(path, 'w');
  try {
    await writeAll(file, data);
  } finally {
    await file.close();
  }
}

async function atomicReplace(path: string, data: Data, mode: number | undefined): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  await removeStaleTemporaries(folder, basename(path));
  const temporary = join(folder, `.${basename(path)}${TEMP_MARK}${process.pid}-${counter++}`);
  try {
    const file = await open(temporary, 'wx');
    try {
      await writeAll(file, data);
    } finally {
      await file.close();
    }
    if (mode !== undefined) await chmod(temporary, mode); // keep the replaced file's permissions
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeAll(file: import('node:fs/promises').FileHandle, data: Data): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) await file.writeFile(data);
  else for (const chunk of data) await file.writeFile(chunk);
}

/**
 * Removes `.<name>.efficientnet-tmp-<pid>-<n>` files in `folder` whose process no longer runs
 * (left by a run that was killed between writing and renaming).
 *
 * @example
 * await removeStaleTemporaries('runs', 'model.safetensors');
 */
export async function removeStaleTemporaries(folder: string, name: string): Promise<string[]> {
  const prefix = `.${name}${TEMP_MARK}`;
  const entries = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-\d+$/.exec(entry.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await rm(join(folder, entry), { force: true });
    removed.push(join(folder, entry));
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/**
 * The user's path behind a temporary file name (`.x.efficientnet-tmp-12-0` → `x`), unchanged otherwise.
 *
 * @example
 * userPath('out/.m.safetensors.efficientnet-tmp-41-0') // 'out/m.safetensors'
 */
export function userPath(path: string): string {
  const match = /^\.(.+)\.efficientnet-tmp-\d+-\d+$/.exec(basename(path));
  return match ? join(dirname(path), match[1]) : path;
}
