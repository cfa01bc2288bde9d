/**
 * Folder walking with symlinks: each real folder is walked once, loops (`ln -s ..`) end and are
 * named as skipped, and a link never multiplies images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageFolder } from '../../src/data/imageFolder.js';
import { listImages } from '../../src/node/walk.js';
import { withDir } from '../support/tempdir.js';

async function files(root: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), 'not empty');
  }
}

test('two `ln -s ..` links and a self link end the walk, are named as skipped, and add nothing', { timeout: 20_000 }, () => withDir(async (dir) => {
  const root = join(dir, 'photos');
  await files(root, ['a.jpg', 'sub/b.jpg', 'sub/deeper/c.png']);
  await files(dir, ['beside.jpg']); // beside the root: reachable only through a link that loops
  await symlink('..', join(root, 'sub', 'up1'));
  await symlink('..', join(root, 'sub', 'up2'));
  await symlink('.', join(root, 'self'));
  await symlink('..', join(root, 'out')); // the folder holding the root
  const { files: found, skipped } = await listImages([root]);
  assert.deepEqual(found, ['a.jpg', 'sub/b.jpg', 'sub/deeper/c.png'].map((p) => join(root, p)));
  assert.deepEqual(skipped.map((s) => s.path.slice(root.length + 1)).sort(), ['out', 'self', 'sub/up1', 'sub/up2']);
  assert.match(skipped.find((s) => s.path.endsWith('up1'))!.reason, /already walked as '.*photos'/);
  assert.match(skipped.find((s) => s.path.endsWith('out'))!.reason, /a folder above '.*photos' \(a loop\)/);
}));

test('a second link to one folder does not repeat its images; a link out of the tree is followed once', () => withDir(async (dir) => {
  const root = join(dir, 'photos');
  await files(root, ['real/x.jpg', 'real/y.jpg']);
  await files(dir, ['elsewhere/z.jpg']);
  await symlink('real', join(root, 'alias'));        // sorts before 'real': the real name still wins
  await symlink(join(dir, 'elsewhere'), join(root, 'ext1'));
  await symlink(join(dir, 'elsewhere'), join(root, 'ext2'));
  const { files: found, skipped } = await listImages([root]);
  assert.deepEqual(found, ['ext1/z.jpg', 'real/x.jpg', 'real/y.jpg'].map((p) => join(root, p)));
  assert.deepEqual(skipped.map((s) => [s.path.slice(root.length + 1), s.reason.replace(dir, 'DIR')]).sort(), [
    ['alias', "links to the folder already walked as 'DIR/photos/real'"],
    ['ext2', "links to the folder already walked as 'DIR/photos/ext1'"],
  ]);
}));

test('imageFolder: a looping link inside a class folder is skipped by name, the samples stay as they are', () => withDir(async (dir) => {
  await files(dir, ['cat/1.jpg', 'cat/2.jpg', 'dog/1.jpg']);
  await symlink('..', join(dir, 'cat', 'loop'));
  await symlink('..', join(dir, 'dog', 'loop'));
  const { samples, skipped } = await imageFolder(dir);
  assert.equal(samples.length, 3);
  assert.deepEqual(skipped.map((s) => s.path).sort(), [join(dir, 'cat', 'loop'), join(dir, 'dog', 'loop')]);
}));
