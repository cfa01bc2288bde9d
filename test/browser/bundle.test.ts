/**
 * The browser bundle holds no Node built-in, no sharp and no onnxruntime-node: esbuild's
 * metafile lists every input of the bundle (bundled in memory here, with the build's settings),
 * and onnxruntime-web's wasm runtime stays a separate file fetched at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleBrowser } from '../../build/browserBundle.js';

const NODE_ONLY = /^(node:|(fs|path|os|crypto|zlib|http|https|url|stream|child_process|worker_threads)$)|node_modules\/(sharp|onnxruntime-node|@img)\//;

test('the browser bundle has no Node built-in, no sharp, no onnxruntime-node', async () => {
  const { metafile, code } = await bundleBrowser({ write: false });
  const inputs = Object.keys(metafile.inputs);
  const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
  assert.ok(inputs.some((p) => p.includes('dist/src/browser/platform.js')), 'the browser platform is in it');
  assert.ok(inputs.some((p) => p.includes('node_modules/onnxruntime-web/')), 'onnxruntime-web is in it');
  assert.deepEqual([...inputs, ...imports].filter((p) => NODE_ONLY.test(p)), []);
  assert.ok(!inputs.some((p) => p.includes('dist/src/node/')), 'nothing of src/node');
  assert.ok(!inputs.some((p) => p.endsWith('.wasm')), 'the wasm runtime is not inlined');
  assert.ok(code.byteLength < 1 << 20, `the bundle is ${code.byteLength} bytes`);
});
