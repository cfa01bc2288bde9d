/**
 * Keeps the package in layers: no import cycles, imports only point down the table below, and
 * the core (everything but the platform bindings and the programs) imports nothing Node-only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cycles, importEdges, sourceFiles, sourceRoot } from './imports.js';

/**
 * Lowest first; a file may import its own layer and those before it. The first matching prefix
 * names a file's layer.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'util/'],
  ['platform/'], // the interfaces the core reaches the platform through
  ['report/'], // SVG pictures: pure strings
  ['arch/'],
  ['weights/', 'io/'],
  ['data/'],
  ['runtime/'],
  ['train/'],
  ['model/'], // the model class and loading it from checkpoints
  ['pipeline/', 'eval/', 'finetune/'], // tasks, typed against model/imageModel.ts
  ['api/'], // EfficientNet: the model with the tasks on top
  ['node/', 'browser/'], // the platform bindings: Node's, and the browser's with its entry
  ['index.ts'], // the package root
  ['cli/', 'demo/'], // programs: the package root and Node's bindings only
];

/** Modules only Node has: the core must reach them through platform/. */
const NODE_ONLY = /^(node:|sharp$|onnxruntime-node$|cli-progress$|commander$)/;
/** Where Node-only modules may be imported. */
const PLATFORM_SIDE = ['node/', 'cli/', 'demo/', 'index.ts'];
/** Programs reach the library through the package root (or their own folder, or Node's bindings: files, folders). */
const PROGRAMS = ['cli/', 'demo/'];
const PROGRAM_REACH = ['index.ts', 'node/', ...PROGRAMS];

const root = sourceRoot(dirname(fileURLToPath(import.meta.url)));
const edges = importEdges(root);

function layerOf(file: string): number {
  const layer = LAYERS.findIndex((prefixes) => prefixes.some((p) => file === p || file.startsWith(p)));
  if (layer < 0) throw new Error(`src/${file} is in no layer: add its folder to LAYERS in test/layers/layers.test.ts`);
  return layer;
}

test('every source file belongs to a layer', () => {
  const files = new Set(edges.map((e) => e.from));
  const unplaced = [...files].filter((f) => LAYERS.every((prefixes) => !prefixes.some((p) => f === p || f.startsWith(p))));
  assert.deepEqual(unplaced, []);
});

test('src/ has no import cycles', () => {
  assert.deepEqual(cycles(edges), []);
});

test('imports only point down the layers', () => {
  const upward = edges
    .filter((e) => e.to.endsWith('.ts') && layerOf(e.to) > layerOf(e.from))
    .map((e) => `${e.from} → ${e.to}`);
  assert.deepEqual(upward, []);
});

test('the core imports no Node-only module', () => {
  const nodeOnly = edges
    .filter((e) => !e.typeOnly && NODE_ONLY.test(e.to) && !PLATFORM_SIDE.some((p) => e.from === p || e.from.startsWith(p)))
    .map((e) => `${e.from} → ${e.to}`);
  assert.deepEqual(nodeOnly, []);
});

test('the command line and the demo import the package root (and Node bindings) only', () => {
  const reachingIn = edges
    .filter((e) => PROGRAMS.some((p) => e.from.startsWith(p)) && e.to.endsWith('.ts') && !PROGRAM_REACH.some((p) => e.to === p || e.to.startsWith(p)))
    .map((e) => `${e.from} → ${e.to}`);
  assert.deepEqual(reachingIn, []);
});

/** Node's own globals: a browser has none of them. Comments aside. */
const NODE_GLOBALS = /\b(Buffer\.|process\.|__dirname|__filename|setImmediate\(|NodeJS\.)/;

test('the core uses no Node-only global', () => {
  const uses = sourceFiles(root)
    .filter((file) => !PLATFORM_SIDE.some((p) => file === p || file.startsWith(p)))
    .flatMap((file) => readFileSync(join(root, file), 'utf8').split('\n')
      .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
      .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && NODE_GLOBALS.test(line.replace(/\/\/.*$/, '')))
      .map(({ at, line }) => `${at}: ${line.trim()}`));
  assert.deepEqual(uses, []);
});
