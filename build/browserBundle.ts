/**
 * The prebuilt browser bundle: `dist/browser/efficientnet-ts.js`, one ES module made by esbuild
 * from the compiled browser entry (dist/src/browser/index.js), with onnxruntime-web's wasm
 * runtime beside it, so that serving `dist/browser/` is all a page needs. onnxruntime-web is
 * taken in its "extern wasm" form (the condition below): the 27 MB `.wasm` and its `.mjs`
 * loader stay separate files, fetched from beside the bundle, instead of being inlined.
 * Run by `npm run build` after tsc.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** The checkout's root, from dist/build. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE_NAME = 'efficientnet-ts.js';
export const BROWSER_DIST = join(ROOT, 'dist', 'browser');
/** What onnxruntime-web's WebGPU build loads at run time (its JSPI-less wasm, with threads and WebGPU). */
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'] as const;

export interface BundleResult {
  readonly metafile: Metafile;
  /** The bundle's bytes (also written unless `write` was false). */
  readonly code: Uint8Array;
}

/**
 * Bundles the browser entry; with `write` (the default) into `outDir` with the runtime files.
 *
 * @example
 * const { metafile } = await bundleBrowser({ write: false }); // inputs of the bundle, for checks
 */
export async function bundleBrowser(options: { outDir?: string; write?: boolean } = {}): Promise<BundleResult> {
  const outDir = options.outDir ?? BROWSER_DIST;
  const result = await build({
    entryPoints: [join(ROOT, 'dist', 'src', 'browser', 'index.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['onnxruntime-web-use-extern-wasm'],
    minify: true,
    sourcemap: options.write === false ? false : 'linked',
    metafile: true,
    write: false,
    outfile: join(outDir, BUNDLE_NAME),
    logLevel: 'warning',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(BUNDLE_NAME))!.contents;
  if (options.write !== false) {
    await mkdir(outDir, { recursive: true });
    for (const file of result.outputFiles) await writeFile(file.path, file.contents);
    const ortDist = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
    for (const name of ORT_RUNTIME_FILES) await copyFile(join(ortDist, name), join(outDir, name));
  }
  return { metafile: result.metafile, code };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code } = await bundleBrowser();
  console.log(`wrote ${join(BROWSER_DIST, BUNDLE_NAME)} (${(code.byteLength / 1024).toFixed(0)} KiB) and ${ORT_RUNTIME_FILES.join(', ')}`);
}
