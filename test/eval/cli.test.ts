/** `efficientnet eval` as a user runs it: reports, pictures, and every bad input in one line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { withDir } from '../support/tempdir.js';
import { exemplarModel, photoFolder } from './fixtures.js';

const CLASSES = [{ name: 'cat', exemplar: 'chelsea.jpg' }, { name: 'coffee & <tea>', exemplar: 'coffee.jpg' }, { name: 'rocket', exemplar: 'rocket.jpg' }];
const LAYOUT = { cat: ['chelsea.jpg', 'chelsea-exif6.jpg'], 'coffee & <tea>': ['coffee.jpg', 'coffee.webp'], rocket: ['rocket.jpg', 'rocket-cmyk.jpg'] };

async function saveModel(path: string, withLabels = true): Promise<string> {
  const net = await exemplarModel(CLASSES, withLabels);
  await net.save(path);
  await net.dispose();
  return path;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('eval prints the report and writes JSON, SVG and PNG', () => withDir(async (dir) => {
  const weights = await saveModel(join(dir, 'm.safetensors'));
  const data = await photoFolder(join(dir, 'val'), LAYOUT);
  const result = await cli('eval', data, '--weights', weights, '--batch-size', '4', '--output', join(dir, 'out', 'report.json'), '--confusion', join(dir, 'confusion.svg'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Dataset: .*val \(6 images evaluated\)\nClass folders matched to the model's class names\.\nTop-1 accuracy: \d+\.\d\d% \(\d\/6\)\nTop-3 accuracy: 100\.00% \(6\/6\)\n/);
  assert.match(result.stdout, /#\s+class\s+images\s+correct\s+predicted\s+accuracy\s+precision\n\s+0\s+cat\s+2\s/);
  // The confusion matrix is aligned: right-aligned counts make every row the same width.
  const matrix = result.stdout.slice(result.stdout.indexOf('Confusion matrix')).trim().split('\n').slice(1);
  assert.equal(matrix.length, 4);
  assert.equal(new Set(matrix.map((l) => l.length)).size, 1, matrix.join('\n'));

  const report = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as Record<string, unknown> & { classes: { name: string; images: number }[]; confusion: number[][] };
  assert.equal(report.images, 6);
  assert.equal(report.k, 3);
  assert.equal(report.matchedBy, 'name');
  assert.deepEqual(report.classes.map((c) => [c.name, c.images]), [['cat', 2], ['coffee & <tea>', 2], ['rocket', 2]]);
  assert.equal(report.confusion.flat().reduce((a, b) => a + b, 0), 6);
  assert.equal(report.top1, report.confusion.reduce((sum, row, i) => sum + row[i], 0) / 6);

  const svg = await readFile(join(dir, 'confusion.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg '));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.match(svg, /coffee &amp; &lt;tea&gt;/);
  assert.doesNotMatch(svg, /coffee & <tea>/);

  const json = await cli('eval', data, '--weights', weights, '--json', '--top-k', '2', '--confusion', join(dir, 'confusion.png'));
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { k: number }).k, 2);
  assert.deepEqual([...(await readFile(join(dir, 'confusion.png'))).subarray(0, 8)], PNG_MAGIC);
  // Atomic writes leave no temporary files behind.
  assert.deepEqual((await readdir(dir)).sort(), ['confusion.png', 'confusion.svg', 'm.safetensors', 'out', 'val']);
}));

test('a model without class names is matched by folder order, and says so', () => withDir(async (dir) => {
  const weights = await saveModel(join(dir, 'm.safetensors'), false);
  const data = await photoFolder(join(dir, 'val'), { a: ['chelsea.jpg'], b: ['coffee.jpg'] });
  const result = await cli('eval', data, '--weights', weights, '--json');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no class names; class folders were matched to its outputs by sorted position/);
  const report = JSON.parse(result.stdout) as { matchedBy: string; classes: { index: number; name: string }[] };
  assert.equal(report.matchedBy, 'index');
  assert.deepEqual(report.classes.filter((c) => c.index < 2).map((c) => c.name), ['a', 'b']);
}));

test('unreadable images are named, the report is still written, and the exit code is 1', () => withDir(async (dir) => {
  const weights = await saveModel(join(dir, 'm.safetensors'));
  const data = await photoFolder(join(dir, 'val'), { ...LAYOUT, rocket: ['rocket.jpg', 'truncated.png', 'empty.jpg'] });
  await writeFile(join(data, 'cat', 'notes.txt'), 'not a photo');
  const result = await cli('eval', data, '--weights', weights, '--output', join(dir, 'r.json'), '--confusion', join(dir, 'c.png'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /skipped .*notes\.txt: not an image file extension/);
  assert.match(result.stderr, /skipped .*truncated\.png: /);
  assert.match(result.stderr, /skipped .*empty\.jpg: /);
  assert.match(result.stderr, /efficientnet: 3 files could not be evaluated \(see above\); the report covers the other 5\n$/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  assert.match(result.stdout, /5 images evaluated, 2 unreadable/);
  const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { images: number; failed: { path: string }[] };
  assert.equal(report.images, 5);
  assert.equal(report.failed.length, 2);
  assert.deepEqual([...(await readFile(join(dir, 'c.png'))).subarray(0, 8)], PNG_MAGIC);
}));

test('bad inputs end in one line and the right exit code', () => withDir(async (dir) => {
  const weights = await saveModel(join(dir, 'm.safetensors'));
  const data = await photoFolder(join(dir, 'val'), { cat: ['chelsea.jpg'], cow: ['coffee.jpg'], emu: ['rocket.jpg'] });
  await photoFolder(join(dir, 'flat'), { '.': ['chelsea.jpg'] });
  const cases: [string[], number, RegExp][] = [
    [['eval', join(dir, 'missing'), '--weights', weights], 1, /^efficientnet: Cannot read dataset folder '.*missing': ENOENT/],
    [['eval', join(dir, 'flat'), '--weights', weights], 1, /has no class folders; expected .*flat\/<class>\/<image>/],
    [['eval', data, '--weights', weights], 1, /^efficientnet: Class folder\(s\) 'cow', 'emu' are not classes of the model; it knows 3: 'cat', 'coffee & <tea>', 'rocket'\n$/],
    [['eval', data, '--weights', weights, '--confusion', join(dir, 'c.jpg')], 1, /Cannot write a picture to '.*c\.jpg': the name should end in '\.svg' or '\.png'/],
    [['eval', data, '--weights', weights, '--top-k', '0'], 2, /'0' is not a positive integer/],
    [['eval', join(dir, 'val'), '--weights', join(dir, 'nope.safetensors')], 1, /nope\.safetensors/],
    [['eval', data], 2, /required option '--weights <file\|tag>' not specified/],
  ];
  for (const [args, code, pattern] of cases) {
    const result = await cli(...args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern, args.join(' '));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  }
  const help = await cli('eval', '--help');
  assert.match(help.stdout, /Usage: efficientnet eval \[options\] <dir>/);
  assert.match(help.stdout, /--confusion <file>/);
}));
