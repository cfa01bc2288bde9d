/**
 * The command line's outputs as a user points them: device nodes, `-` for stdout, a read-only
 * or impossible path. Each failure is one line naming the user's path and exits non-zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EfficientNet } from '../../src/index.js';
import { parseNpy, writeNpy } from '../../src/io/npy.js';
import { FIXTURES } from '../support/fixtures.js';
import { cli } from '../support/cli.js';
import { withDir } from '../support/tempdir.js';

/** A small b0 checkpoint in a fresh folder. */
const withModel = (fn: (dir: string, checkpoint: string) => Promise<void>) => withDir(async (dir) => {
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 3, imageSize: 32, labels: ['a', 'b', 'c'] });
  await net.save(join(dir, 'm.safetensors'));
  await net.dispose();
  await fn(dir, join(dir, 'm.safetensors'));
});

test('convert into /dev/null writes through it; /dev/full is an ENOSPC error, exit 1', () => withModel(async (_, checkpoint) => {
  const ok = await cli('convert', checkpoint, '/dev/null');
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok((await lstat('/dev/null')).isCharacterDevice());
  const full = await cli('convert', checkpoint, '/dev/full');
  assert.equal(full.code, 1);
  assert.equal(full.stderr, "efficientnet: Cannot write '/dev/full': no space left on device (ENOSPC)\n");
}));

test('an output under a file is one line naming that path, nothing left behind', () => withModel(async (dir, checkpoint) => {
  await writeFile(join(dir, 'file'), 'x');
  const bad = await cli('convert', checkpoint, join(dir, 'file', 'o.safetensors'));
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `efficientnet: Cannot write '${join(dir, 'file', 'o.safetensors')}': a folder in the path is a file (ENOTDIR)\n`);
  assert.deepEqual((await readdir(dir)).sort(), ['file', 'm.safetensors']);
}));

test("'-' sends forward's .npy and features' JSON lines to stdout", () => withModel(async (dir) => {
  await writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: [1, 3, 32, 32], data: new Float32Array(3 * 32 * 32).fill(0.5) });
  // Binary on stdout: read it as bytes, not through the text helper.
  const bin = join(FIXTURES, '..', '..', 'bin', 'efficientnet.js');
  const forward = await promisify(execFile)(process.execPath, [bin, 'forward', '--weights', join(dir, 'm.safetensors'), '--input', join(dir, 'x.npy'), '--output', '-'], { encoding: 'buffer' });
  assert.deepEqual(parseNpy(forward.stdout).shape, [1, 3]);
  const features = await cli('features', join(FIXTURES, 'images', 'chelsea.jpg'), '--weights', join(dir, 'm.safetensors'), '--output', '-');
  assert.equal(features.code, 0, features.stderr);
  const rows = features.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string; features: number[] });
  assert.equal(rows.length, 1);
  assert.match(rows[0].file, /chelsea\.jpg$/);
  assert.equal(rows[0].features.length, 1280);
  assert.deepEqual((await readdir(dir)).sort(), ['m.safetensors', 'x.npy'], "no file named '-'");
}));
