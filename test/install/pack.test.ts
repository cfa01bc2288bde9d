/**
 * The install story: `npm pack` the checkout, install the tarball into an empty project with
 * `npm install --offline`, then run `npx efficientnet --version` and a script that imports
 * `efficientnet-ts` there. No network: the tarball's dependencies are copied in beforehand from
 * the checkout's node_modules (the npm cache need not hold them), so npm resolves everything
 * locally; the package itself comes only from the tarball.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES } from '../support/fixtures.js';
import { withDir } from '../support/tempdir.js';

const ROOT = join(FIXTURES, '..', '..');
const run = promisify(execFile);
/** Build tools the tarball does not need at run time. */
const DEV_ONLY = new Set(['typescript', '@types', '@typescript', '.bin', '.package-lock.json']);

test('the packed tarball installs offline into an empty project, and its CLI and API work there', { timeout: 300_000 }, () => withDir(async (dir) => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  // dist/ is built by the test run itself, so packing skips `prepare`.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const files = packed.files.map((f) => f.path);
  assert.ok(files.includes('dist/src/index.js') && files.includes('bin/efficientnet.js') && files.includes('package.json'));
  // The browser bundle ships with onnxruntime-web's wasm beside it, so serving that folder is enough.
  assert.ok(files.includes('dist/browser/efficientnet-ts.js') && files.some((f) => f.startsWith('dist/browser/') && f.endsWith('.wasm')), 'the browser bundle and its wasm ship');
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist/test/')), 'sources and tests stay out');

  const project = join(dir, 'project');
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (!DEV_ONLY.has(name)) await cp(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), { recursive: true });
  }
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', private: true, type: 'module' }));
  await copyFile(join(ROOT, '.npmrc'), join(project, '.npmrc')); // onnxruntime-node-install=skip
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', join(dir, packed.filename)], { cwd: project, env });
  const installed = JSON.parse(await readFile(join(project, 'node_modules', 'efficientnet-ts', 'package.json'), 'utf8')) as { version: string };
  assert.equal(installed.version, version);

  const cli = await run('npx', ['--offline', 'efficientnet', '--version'], { cwd: project, env });
  assert.equal(cli.stdout, `${version}\n`);
  await writeFile(join(project, 'use.mjs'), [
    "import { EfficientNet } from 'efficientnet-ts';",
    "const net = EfficientNet.fromName('efficientnet-b0', { imageSize: 64 });",
    'const { dims } = await net.forward({ data: new Float32Array(3 * 64 * 64), dims: [1, 3, 64, 64] });',
    "const [top] = await net.classify({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 }, { topK: 1 });",
    'console.log(JSON.stringify({ dims, parameters: net.parameterCount(), label: top.label }));',
    'await net.dispose();',
  ].join('\n'));
  const api = await run(process.execPath, ['use.mjs'], { cwd: project, env });
  const result = JSON.parse(api.stdout) as { dims: number[]; parameters: number; label: string };
  assert.deepEqual(result.dims, [1, 1000]);
  assert.equal(result.parameters, 5288548);
  assert.equal(typeof result.label, 'string', 'ImageNet labels ship in the tarball');
  // The import resolved to the installed copy, not to the checkout.
  const resolved = await run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('efficientnet-ts'))"], { cwd: project, env });
  assert.ok(resolved.stdout.includes(join(project, 'node_modules', 'efficientnet-ts')), resolved.stdout);
}));
