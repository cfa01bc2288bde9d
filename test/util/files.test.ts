/**
 * The output-writing rule: temp-and-rename for regular files only, straight through device
 * nodes, FIFOs and descriptor aliases, symlinks resolved first, every failure one line naming
 * the user's path, and temporary files of killed runs removed by the next write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileWriteError } from '../../src/errors.js';
import { removeStaleTemporaries, userPath, writeFileAtomic } from '../../src/node/files.js';

const FILES = new URL('../../src/node/files.js', import.meta.url).href;
import { withDir } from '../support/tempdir.js';

test('a regular file is replaced whole, keeps its permissions, and no temporary file is left', () => withDir(async (dir) => {
  const path = join(dir, 'out.bin');
  await writeFile(path, 'old');
  await chmod(path, 0o640);
  await writeFileAtomic(path, [Buffer.from('new '), Buffer.from('bytes')]);
  assert.equal(await readFile(path, 'utf8'), 'new bytes');
  assert.equal((await stat(path)).mode & 0o777, 0o640);
  assert.deepEqual(await readdir(dir), ['out.bin']);
}));

test('/dev/null is written through and stays a character device', async () => {
  await writeFileAtomic('/dev/null', Buffer.alloc(1000, 1));
  const info = await lstat('/dev/null');
  assert.ok(info.isCharacterDevice(), '/dev/null must still be a device');
});

test('/dev/full fails with ENOSPC named by its path, not a temporary file', async () => {
  await assert.rejects(writeFileAtomic('/dev/full', Buffer.alloc(10)), (e: Error) =>
    e instanceof FileWriteError && e.message === "Cannot write '/dev/full': no space left on device (ENOSPC)");
  assert.ok((await lstat('/dev/full')).isCharacterDevice());
});

test('a FIFO is written through to its reader', () => withDir(async (dir) => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const chunks: Buffer[] = [];
  const reader = createReadStream(fifo);
  const read = new Promise<void>((resolve, reject) => reader.on('data', (c) => chunks.push(c as Buffer)).on('end', resolve).on('error', reject));
  await writeFileAtomic(fifo, 'through the pipe');
  await read;
  assert.equal(Buffer.concat(chunks).toString(), 'through the pipe');
  assert.ok((await lstat(fifo)).isFIFO());
}));

test('/proc/self/fd/1 reaches the process\'s standard output', async () => {
  const script = `import('${FILES}').then((m) => m.writeFileAtomic('/proc/self/fd/1', 'to stdout\\n'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.equal(out, 'to stdout\n');
});

test('a symlinked output replaces its target; the link stays a link', () => withDir(async (dir) => {
  await mkdir(join(dir, 'real'));
  await writeFile(join(dir, 'real', 'target.npy'), 'stale');
  await symlink(join('real', 'target.npy'), join(dir, 'link.npy'));
  await symlink(join('real', 'new.npy'), join(dir, 'dangling.npy'));
  await writeFileAtomic(join(dir, 'link.npy'), 'fresh');
  await writeFileAtomic(join(dir, 'dangling.npy'), 'created');
  assert.equal(await readFile(join(dir, 'real', 'target.npy'), 'utf8'), 'fresh');
  assert.equal(await readFile(join(dir, 'real', 'new.npy'), 'utf8'), 'created');
  assert.equal(await readlink(join(dir, 'link.npy')), join('real', 'target.npy'));
  assert.deepEqual((await readdir(join(dir, 'real'))).sort(), ['new.npy', 'target.npy']);
}));

test('file-system failures name the user\'s path whatever the code', () => withDir(async (dir) => {
  await writeFile(join(dir, 'file'), 'x');
  await mkdir(join(dir, 'folder'));
  const cases: [string, RegExp][] = [
    [join(dir, 'file', 'o.safetensors'), /^Cannot write '.*\/file\/o\.safetensors': a folder in the path is a file \(ENOTDIR\)$/],
    [join(dir, 'folder'), /^Cannot write '.*\/folder': it is a folder \(EISDIR\)$/],
  ];
  for (const [path, message] of cases) {
    await assert.rejects(writeFileAtomic(path, 'x'), (e: Error) => e instanceof FileWriteError && message.test(e.message), path);
  }
  // Codes the sandbox cannot produce on demand go through the same mapping.
  for (const code of ['EROFS', 'EEXIST', 'EACCES', 'EMLINK']) {
    const raw = Object.assign(new Error(`${code}: some reason, rename '/x/.o.efficientnet-tmp-1-0' -> '/x/o'`), { code, syscall: 'rename', path: '/x/.o.efficientnet-tmp-1-0' });
    const wrapped = FileWriteError.from(raw, '/x/o') as Error;
    assert.ok(wrapped instanceof FileWriteError);
    assert.match(wrapped.message, new RegExp(`^Cannot write '/x/o': [a-z -]+ \\(${code}\\)$`));
    assert.doesNotMatch(wrapped.message, /efficientnet-tmp/);
  }
  const bug = new TypeError('a bug');
  assert.equal(FileWriteError.from(bug, '/x/o'), bug, 'non-file-system errors pass unchanged');
  assert.equal(userPath('/x/.o.npy.efficientnet-tmp-41-0'), '/x/o.npy');
}));

test('a read-only mount gives EROFS naming the output path (needs root and mount)', async (t) => withDir(async (dir) => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    t.skip('mount is not available here');
    return;
  }
  try {
    await assert.rejects(writeFileAtomic(join(dir, 'o.safetensors'), 'x'), (e: Error) => e instanceof FileWriteError && e.message === `Cannot write '${join(dir, 'o.safetensors')}': read-only file system (EROFS)`);
  } finally {
    execFileSync('umount', [dir]);
  }
}));

test('temporary files of dead processes are removed by the next write there; live ones are kept', () => withDir(async (dir) => {
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.on('close', resolve));
  const stale = `.m.safetensors.efficientnet-tmp-${dead.pid}-0`;
  const live = `.m.safetensors.efficientnet-tmp-${process.ppid}-3`; // our parent is running
  const other = `.other.efficientnet-tmp-${dead.pid}-0`;
  for (const name of [stale, live, other]) await writeFile(join(dir, name), 'partial');
  await writeFileAtomic(join(dir, 'm.safetensors'), 'whole');
  assert.deepEqual((await readdir(dir)).sort(), [live, other, 'm.safetensors'].sort());
  assert.deepEqual(await removeStaleTemporaries(dir, 'other'), [join(dir, other)]);
}));

test("'-' into a pipe whose reader has gone is one error line (EPIPE), not a crash", async () => {
  const script = `import('${FILES}').then((m) => m.writeOutput('-', Buffer.alloc(1 << 24))).catch((e) => { process.stderr.write(e.message); process.exitCode = 1; })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 1);
  assert.equal(err, "Cannot write 'standard output': the reading end of the pipe closed (EPIPE)");
});
