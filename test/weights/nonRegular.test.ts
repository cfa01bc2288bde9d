/** Inputs that are not regular files: refused in one line before a byte is read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readCheckpoint } from '../../src/weights/checkpoint.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import { FileFormatError } from '../../src/errors.js';
import { withDir } from '../support/tempdir.js';
import { cli } from '../support/cli.js';

const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof FileFormatError, String(error));
  assert.match(error.message, pattern);
  return true;
};

test('/dev/zero, a FIFO with no writer and a directory are refused at once', () => withDir(async (dir) => {
  await assert.rejects(readCheckpoint('/dev/zero'), refused(/^\/dev\/zero is a character device, not a regular file/));
  await assert.rejects(readSafetensors('/dev/zero'), refused(/character device/));
  const fifo = join(dir, 'pipe.pth');
  execFileSync('mkfifo', [fifo]);
  // Without O_NONBLOCK this open would wait for a writer forever.
  await assert.rejects(readCheckpoint(fifo), refused(/pipe\.pth is a FIFO \(named pipe\), not a regular file/));
  await assert.rejects(readCheckpoint(dir), refused(/is a directory, not a regular file/));
}));

test('convert /dev/zero exits 1 with one line and writes nothing', () => withDir(async (dir) => {
  const { code, stderr } = await cli('convert', '/dev/zero', join(dir, 'out.safetensors'));
  assert.equal(code, 1);
  assert.equal(stderr, 'efficientnet: /dev/zero is a character device, not a regular file; give a checkpoint file\n');
  assert.deepEqual(await readdir(dir), []);
}));
