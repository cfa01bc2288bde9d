/** evaluate() on a small image folder, checked against classify on the same photos. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { imageFolder } from '../../src/data/imageFolder.js';
import { DatasetError } from '../../src/errors.js';
import { matchClasses } from '../../src/eval/classes.js';
import { evaluate, evaluateModels } from '../../src/eval/evaluate.js';
import { ComparisonTally, compareModels } from '../../src/eval/compare.js';
import { computeMetrics } from '../../src/eval/metrics.js';
import { exemplarModel, photoFolder } from './fixtures.js';

test('class folders match the model\'s labels by name, or by position when it has none', () => {
  assert.deepEqual(matchClasses(['cat', 'dog'], ['zebra', 'cat', 'dog'], 3), { targets: [1, 2], names: ['zebra', 'cat', 'dog'], matchedBy: 'name' });
  assert.throws(() => matchClasses(['cat', 'cow', 'emu'], ['cat', 'dog'], 2), (e: Error) => e instanceof DatasetError && /'cow', 'emu' are not classes of the model; it knows 2: 'cat', 'dog'/.test(e.message));
  const byIndex = matchClasses(['b', 'c'], undefined, 3, ['x0', 'x1', 'x2']);
  assert.deepEqual(byIndex, { targets: [0, 1], names: ['b', 'c', 'x2'], matchedBy: 'index' });
  assert.throws(() => matchClasses(['a', 'b', 'c'], undefined, 2), /3 class folders but the model has 2 outputs and no class names/);
});

test('evaluate agrees with classify image by image, skips unreadable photos and names them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enet-eval-'));
  // 'zebra' has no folder: the model may predict it, the dataset cannot contain it.
  const net = await exemplarModel([{ name: 'zebra' }, { name: 'cat', exemplar: 'chelsea.jpg' }, { name: 'coffee', exemplar: 'coffee.jpg' }, { name: 'rocket', exemplar: 'rocket.jpg' }]);
  try {
    const root = await photoFolder(join(dir, 'val'), {
      cat: ['chelsea.jpg', 'chelsea-exif6.jpg', 'chelsea-alpha.png'],
      coffee: ['coffee.jpg', 'coffee.webp', 'coffee-grey.png', 'notes.jpg'],
      rocket: ['rocket.jpg', 'rocket.tiff', 'rocket-cmyk.jpg'],
    });
    const dataset = await imageFolder(root, { minClasses: 1 });
    const seen: number[] = [];
    const result = await evaluate(net, root, { batchSize: 3, topK: 2, onBatch: ({ done, total }) => seen.push(done / total) });
    assert.equal(seen[seen.length - 1], 1);
    assert.deepEqual(result.failed.map((f) => basename(f.path)), ['notes.jpg']);
    assert.match(result.failed[0].reason, /Cannot decode image/);
    assert.equal(result.images, 9);

    // The oracle: classify ranks all classes of every readable photo.
    const readable = dataset.samples.filter((s) => !s.path.endsWith('notes.jpg'));
    const ranked = await net.classify(readable.map((s) => s.path), { topK: 4 });
    const targets = readable.map((s) => s.label + 1); // folders cat, coffee, rocket are outputs 1, 2, 3
    const expected = computeMetrics({
      targets,
      predictions: ranked.map((r) => r[0].index),
      ranks: ranked.map((r, i) => r.findIndex((p) => p.index === targets[i])),
    }, ['zebra', 'cat', 'coffee', 'rocket'], 2);
    const { root: _root, matchedBy, failed: _failed, skipped, ...metrics } = result;
    assert.deepEqual(metrics, expected);
    assert.equal(matchedBy, 'name');
    assert.deepEqual(skipped, []);
    assert.equal(result.classes.reduce((sum, c) => sum + c.images, 0), 9);
    // zebra has no images and, with a zero head row, is never predicted: left out of the matrix.
    assert.deepEqual(result.classes.map((c) => c.name), ['cat', 'coffee', 'rocket']);
    assert.ok(result.classes.filter((c) => c.predicted > 0).length >= 2, 'the exemplar head tells photos apart');

    await assert.rejects(evaluate(net, root, { topK: 5 }), /top-k must be an integer from 1 to the model's 4 classes, got 5/);
    await assert.rejects(evaluate(net, join(dir, 'missing')), DatasetError);
  } finally {
    await net.dispose();
    await rm(dir, { recursive: true });
  }
});

test('evaluateModels runs several models over one decoding of the folder and equals evaluating each alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enet-eval-pair-'));
  const classes = [{ name: 'cat', exemplar: 'chelsea.jpg' }, { name: 'coffee', exemplar: 'coffee.jpg' }, { name: 'rocket', exemplar: 'rocket.jpg' }];
  const a = await exemplarModel(classes);
  // The same class names, with the cat and coffee exemplars swapped: the two disagree on those photos.
  const b = await exemplarModel([{ name: 'cat', exemplar: 'coffee.jpg' }, { name: 'coffee', exemplar: 'chelsea.jpg' }, classes[2]]);
  try {
    const root = await photoFolder(join(dir, 'val'), { cat: ['chelsea.jpg', 'chelsea-exif6.jpg'], coffee: ['coffee.jpg', 'coffee.webp'], rocket: ['rocket.jpg'] });
    const tally = new ComparisonTally(3);
    let batches = 0;
    const [ra, rb] = await evaluateModels([a, b], root, { batchSize: 2 }, ([la, lb], count) => { batches++; tally.add(la, lb, count); });
    assert.equal(batches, 3, 'five images in batches of two: each batch decoded once, both models run on it');
    assert.deepEqual(ra, await evaluate(a, root, { batchSize: 2 }));
    assert.deepEqual(rb, await evaluate(b, root, { batchSize: 2 }));
    const comparison = tally.result();
    assert.equal(comparison.images, 5);
    assert.equal(comparison.agreement, (await compareModels(a, b, (await imageFolder(root)).samples.map((s) => s.path))).agreement);
    assert.ok(comparison.agreement < 1 && comparison.maxLogitDifference > 0, 'the swapped head is told apart');
  } finally {
    await a.dispose();
    await b.dispose();
    await rm(dir, { recursive: true });
  }
});
