/**
 * Every ```ts, ```js and ```sh block of README.md runs as written, in a scratch project that
 * uses the checkout as `efficientnet-ts` (node_modules link, as `npm link` makes). Downloads are
 * stood in for by a pre-filled cache (synthetic weights under the published file names, with the
 * cache's verified-hash note) and an unreachable mirror, so nothing touches the network; cat.jpg
 * and friends are fixture photos. A block preceded by `<!-- readme-test: skip: why -->` is not
 * run, and must say why. The ```ts blocks also type-check, strict, against the published types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EfficientNet } from '../src/index.js';
import { getPretrained } from '../src/weights/pretrained/registry.js';
import { FIXTURES } from './support/fixtures.js';
import { withDir } from './support/tempdir.js';

const ROOT = join(FIXTURES, '..', '..');
const IMAGES = join(FIXTURES, 'images');
const run = promisify(execFile);

interface Block {
  readonly lang: 'ts' | 'js' | 'sh';
  readonly code: string;
  readonly line: number;
  readonly skip?: string;
}

/** The README's code blocks with their line numbers and skip reasons. */
export function readmeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|sh)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const skip = /^<!-- readme-test: skip: (.+) -->$/.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({ lang: open[1] as Block['lang'], code: lines.slice(i + 1, end).join('\n'), line: i + 1, skip });
    i = end;
  }
  return blocks;
}

/** Writes `net` under a registry entry's file name with the cache's note that its hash was checked. */
async function cacheAs(cache: string, tag: string, save: (path: string) => Promise<void>): Promise<void> {
  const entry = getPretrained(tag);
  const path = join(cache, entry.fileName);
  await save(path);
  const { size, mtimeMs } = await stat(path);
  await writeFile(`${path}.sha256`, `${entry.sha256.padEnd(64, '0')} ${size} ${mtimeMs}\n`);
}

/** A project that depends on the checkout, with the files the README's samples name. */
async function scratchProject(dir: string): Promise<{ project: string; env: NodeJS.ProcessEnv }> {
  const project = join(dir, 'project');
  const cache = join(dir, 'cache');
  await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
  await mkdir(cache);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'readme-samples', private: true, type: 'module' }));
  await symlink(ROOT, join(project, 'node_modules', 'efficientnet-ts'));
  await symlink(join(ROOT, 'bin', 'efficientnet.js'), join(project, 'node_modules', '.bin', 'efficientnet'));

  const reference = EfficientNet.fromName('efficientnet-b0', { seed: 1 });
  await cacheAs(cache, 'lukemelas:efficientnet-b0', (p) => reference.save(p));
  await copyFile(join(cache, getPretrained('lukemelas:efficientnet-b0').fileName), join(project, 'efficientnet-b0-355c32eb.pth'));
  const torchvision = EfficientNet.fromName('efficientnet-b0', { seed: 2, padding: 'symmetric', batchNormEpsilon: 1e-5, batchNormMomentum: 0.1 });
  await cacheAs(cache, 'torchvision:efficientnet_b0.IMAGENET1K_V1', (p) => torchvision.save(p, { family: 'torchvision' }));
  await cacheAs(cache, 'timm:tf_efficientnet_b0.ns_jft_in1k', (p) => reference.save(p, { family: 'timm' }));

  for (const [name, fixture] of [['cat.jpg', 'chelsea.jpg'], ['a.jpg', 'coffee.jpg'], ['b.jpg', 'rocket.jpg'], ['rose.jpg', 'astronaut.jpg']]) {
    await copyFile(join(IMAGES, fixture), join(project, name));
  }
  const photos = ['chelsea.jpg', 'coffee.jpg', 'rocket.jpg', 'astronaut.jpg', 'chelsea-exif6.jpg'];
  for (const cls of ['rose', 'tulip']) {
    await mkdir(join(project, 'flowers', 'train', cls), { recursive: true });
    for (const [i, photo] of photos.entries()) await copyFile(join(IMAGES, photo), join(project, 'flowers', 'train', cls, `${cls}${i}.jpg`));
  }
  const env = {
    ...process.env,
    PATH: `${join(project, 'node_modules', '.bin')}:${process.env.PATH}`,
    EFFICIENTNET_TS_CACHE: cache,
    EFFICIENTNET_TS_BASE_URL: 'http://127.0.0.1:9', // discard port: any download attempt fails fast
    npm_config_offline: 'true',
  };
  return { project, env };
}

async function hasNumpy(): Promise<boolean> {
  return run('python3', ['-c', 'import numpy']).then(() => true, () => false);
}

test('every README code block runs as written', { timeout: 600_000 }, () => withDir(async (dir) => {
  const blocks = readmeBlocks(await readFile(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(blocks.filter((b) => !b.skip).length >= 4, 'the samples were found');
  const { project, env } = await scratchProject(dir);
  const numpy = await hasNumpy();
  for (const [i, block] of blocks.entries()) {
    if (block.skip) continue;
    const where = `README.md:${block.line} (${block.lang})`;
    if (block.lang === 'sh' && /python3/.test(block.code) && !numpy) {
      process.stderr.write(`# ${where} not run: python3 with numpy is not installed\n`);
      continue;
    }
    const file = join(project, `block${i}.${block.lang === 'sh' ? 'sh' : 'mjs'}`);
    await writeFile(file, block.code);
    const command = block.lang === 'sh' ? ['bash', ['-e', file]] as const : [process.execPath, [file]] as const;
    try {
      await run(command[0], [...command[1]], { cwd: project, env, maxBuffer: 64 << 20, timeout: 300_000 });
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      assert.fail(`${where} failed (exit ${e.code}):\n${e.stderr}\n${e.stdout.slice(-2000)}`);
    }
  }
  // What the samples wrote is what they said they would.
  for (const written of ['b0.safetensors', 'b0-timm.pth', 'tv-b0.pth', 'flowers.safetensors', 'flowers.state.safetensors', 'flowers.curves.png']) {
    assert.ok((await stat(join(project, written))).size > 0, written);
  }
  if (numpy) assert.ok((await stat(join(project, 'y.npy'))).size > 0);
}));

test('every skipped README block says why', async () => {
  const blocks = readmeBlocks(await readFile(join(ROOT, 'README.md'), 'utf8'));
  for (const block of blocks.filter((b) => b.skip)) assert.ok(block.skip!.length > 20, `README.md:${block.line}`);
});

test('fromPretrained picks each source\'s default weights for a variant name', () => withDir(async (dir) => {
  const { env } = await scratchProject(dir);
  const cacheDir = env.EFFICIENTNET_TS_CACHE!;
  const tags: string[] = [];
  const momenta: number[] = [];
  for (const source of ['lukemelas', 'torchvision', 'timm']) {
    const net = await EfficientNet.fromPretrained('efficientnet-b0', { source, cacheDir, baseUrl: 'http://127.0.0.1:9', retries: 0 });
    tags.push(net.pretrained!.tag);
    momenta.push(net.config.batchNormMomentum);
    await net.dispose();
  }
  assert.deepEqual(tags, ['lukemelas:efficientnet-b0', 'torchvision:efficientnet_b0.IMAGENET1K_V1', 'timm:tf_efficientnet_b0.ns_jft_in1k']);
  // The family row's momentum, as the same file read from disk gets: TF ports 0.01, torchvision 0.1.
  assert.deepEqual(momenta, [0.01, 0.1, 0.01]);
  // A source's own weight tag still works, and torchvision's DEFAULT for b1 is V2.
  await assert.rejects(EfficientNet.fromPretrained('efficientnet_b1.IMAGENET1K_V2', { source: 'torchvision', cacheDir, baseUrl: 'http://127.0.0.1:9', retries: 0 }), /efficientnet_b1-c27df63c\.pth/);
  await assert.rejects(EfficientNet.fromPretrained('efficientnet-b1', { source: 'torchvision', cacheDir, baseUrl: 'http://127.0.0.1:9', retries: 0 }), /efficientnet_b1-c27df63c\.pth/);
}));

test("every README TypeScript block type-checks against the package's published types (strict)", { timeout: 120_000 }, () => withDir(async (dir) => {
  const blocks = readmeBlocks(await readFile(join(ROOT, 'README.md'), 'utf8')).filter((b) => b.lang === 'ts' && !b.skip);
  assert.ok(blocks.length >= 3, 'the TypeScript samples were found');
  const project = join(dir, 'project');
  await mkdir(join(project, 'node_modules', '@types'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'readme-types', private: true, type: 'module' }));
  await symlink(ROOT, join(project, 'node_modules', 'efficientnet-ts'));
  await symlink(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  // Each block is its own module (`export {}`), as each runs as its own file.
  const files = await Promise.all(blocks.map(async (block) => {
    const file = `block${block.line}.ts`;
    await writeFile(join(project, file), `${block.code}\nexport {};\n`);
    return file;
  }));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
    files,
  }));
  try {
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, maxBuffer: 16 << 20 });
  } catch (error) {
    const e = error as { stdout: string };
    // tsc names blockLINE.ts(row,col): LINE is the README line of the block's opening fence.
    assert.fail(`README TypeScript samples do not type-check:\n${e.stdout}`);
  }
}));
