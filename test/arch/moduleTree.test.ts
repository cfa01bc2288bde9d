/**
 * net.toString() against what PyTorch 1.13 prints (scripts/make_module_tree_fixtures.py): the
 * reference (lukemelas 0.7.1 module names and types) and Debian's torchvision 0.14, line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EfficientNet } from '../../src/index.js';
import { pythonFloat } from '../../src/arch/moduleTree.js';
import { renameStateDict } from '../../src/weights/keymaps.js';
import { FIXTURES } from '../support/fixtures.js';

async function assertSameLines(actual: string, fixture: string): Promise<void> {
  const expected = (await readFile(join(FIXTURES, 'moduleTree', fixture), 'utf8')).replace(/\n$/, '').split('\n');
  const lines = actual.split('\n');
  const differing = expected.flatMap((line, i) => (lines[i] === line ? [] : [`line ${i + 1}: expected ${JSON.stringify(line)}, got ${JSON.stringify(lines[i])}`]));
  assert.deepEqual(differing.slice(0, 5), [], `${differing.length} of ${expected.length} lines differ`);
  assert.equal(lines.length, expected.length);
}

test('Python float repr', () => {
  const cases: [number, string][] = [[1e-5, '1e-05'], [1e-3, '0.001'], [0.0001, '0.0001'], [1 - 0.99, '0.010000000000000009'], [0, '0.0'], [0.2, '0.2'], [0.0125, '0.0125'], [1.5e-7, '1.5e-07'], [1e16, '1e+16'], [123.0, '123.0']];
  for (const [x, repr] of cases) assert.equal(pythonFloat(x), repr, String(x));
});

test('a reference model prints what print(EfficientNet.from_name(...)) prints in lukemelas 0.7.1', async () => {
  await assertSameLines(EfficientNet.fromName('efficientnet-b0').toString(), 'lukemelas-b0.txt');
  await assertSameLines(EfficientNet.fromName('efficientnet-b2', { numClasses: 10, imageSize: 255 }).toString(), 'lukemelas-b2-10classes-255.txt');
});

test('a model with torchvision weights prints what print(efficientnet_bX()) prints in torchvision 0.14', async () => {
  for (const [variant, fixture] of [['efficientnet-b0', 'torchvision-b0.txt'], ['efficientnet-b5', 'torchvision-b5.txt']]) {
    // Torchvision key names make a torchvision-family model with that family's padding and batch norm.
    const template = EfficientNet.fromName(variant, { padding: 'symmetric' });
    const net = EfficientNet.fromStateDict(renameStateDict(template.weights, template.network, 'lukemelas', 'torchvision'), { model: variant });
    assert.equal(net.family, 'torchvision');
    await assertSameLines(net.toString(), fixture);
  }
});
