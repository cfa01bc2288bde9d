/**
 * The seeded generators and hashes, pinned to the values they gave before they shared one module:
 * saved training states, resume fingerprints and the synthetic-weight oracle depend on every bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochOrder } from '../../src/finetune/dataset.js';
import { fingerprint } from '../../src/finetune/options.js';
import { FNV_OFFSET, Random, codeUnits, fnv1a32, mixSeed, seededRng, uniformAt } from '../../src/util/random.js';
import { syntheticImages, syntheticUniform } from '../../src/weights/synthetic.js';

const take = (rng: () => number, n: number) => Array.from({ length: n }, rng);

test('mulberry32 per-image streams', () => {
  assert.deepEqual(take(seededRng(42), 3), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  assert.deepEqual(take(seededRng(-3), 2), [0.5127934608608484, 0.46524663479067385]);
});

test('xoshiro128** training generator and its checkpointed state', () => {
  const r = new Random(7);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.uniform(), r.normal(), r.integer(10)], [210494603, 711084892, 0.9298532083630562, -1.9691482335160186, 6]);
  assert.deepEqual(r.state(), [4094127897, 1736111226, 3066825007, 3945807008]);
  assert.equal(new Random(r.state()).nextUint32(), r.nextUint32(), 'a restored state continues the stream');
  assert.equal(new Random([1, 2, 3, 4]).nextUint32(), 11520);
  assert.equal(new Random(0).nextUint32(), 1789933344);
});

test('seed mixing and epoch order', () => {
  assert.deepEqual([mixSeed(), mixSeed(0), mixSeed(1, 2, 3), mixSeed(-1, 2 ** 32 + 5)], [2654435769, 493009611, 2901138804, 3813939402]);
  assert.deepEqual(epochOrder(6, 3, 2), [1, 5, 4, 2, 3, 0]);
});

test('FNV-1a over UTF-8 bytes (synthetic keys) and over UTF-16 units (file-list fingerprints)', () => {
  assert.deepEqual([fnv1a32(''), fnv1a32('_conv_stem.weight'), fnv1a32('héllo→')], [FNV_OFFSET, 3439830710, 3797751126]);
  assert.notEqual(fnv1a32(codeUnits('é')), fnv1a32('é'), 'the two inputs differ outside ASCII, and both are kept as they were');
  assert.equal(fingerprint({ epochs: 1 }, 'm', ['a'], ['/d/a/1.png', '/d/é/2→.png']), '{"epochs":1,"model":"m","classes":["a"],"files":2,"hash":3925505472}');
});

test('counter-based uniform stream behind synthetic weights and inputs', () => {
  assert.deepEqual(Array.from(syntheticUniform('x', 3, (u) => u)), [0.18501223623752594, 0.8799265623092651, 0.24403423070907593]);
  assert.deepEqual(Array.from(syntheticImages([1, 1, 2, 2])), [0.29903313517570496, -0.38837969303131104, -0.4374818801879883, -0.11617852002382278]);
  assert.equal(syntheticUniform('x', 2, (u) => u)[1], Math.fround(uniformAt(fnv1a32('x'), 1)), 'a weight is its key\'s stream element, rounded once');
});
