/**
 * The web app's pure parts, without a browser: class folders from picked paths, and the
 * progress line's speed and time left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupByClass, isImageName } from '../../web/src/folders.js';
import { Throughput, formatDuration } from '../../web/src/rate.js';

test('a picked folder of class folders gives one class per folder, sorted; other files are left out', () => {
  const groups = groupByClass(['flowers/tulip/2.jpg', 'flowers/rose/1.JPG', 'flowers/rose/notes.txt', 'flowers/top.png', 'flowers/rose/.hidden.jpg']);
  assert.deepEqual([...groups], [['rose', ['flowers/rose/1.JPG']], ['tulip', ['flowers/tulip/2.jpg']]]);
});

test('class folders dropped together (no common root) name the classes themselves', () => {
  assert.deepEqual([...groupByClass(['rose/1.png', 'tulip/a/2.webp'])], [['rose', ['rose/1.png']], ['tulip', ['tulip/a/2.webp']]]);
});

test('image names: what browsers decode, no TIFF, no hidden files', () => {
  assert.deepEqual(['a.jpeg', 'a.tiff', 'a.bmp', 'x/.a.png', 'a.png.txt'].map(isImageName), [true, false, true, false, false]);
});

test('throughput averages the recent steps and gives the time left', () => {
  const speed = new Throughput(0);
  assert.equal(speed.imagesPerSecond(), 0);
  assert.equal(speed.secondsLeft(100), undefined);
  speed.step(1000, 32);
  speed.step(2000, 32);
  assert.equal(speed.imagesPerSecond(), 32);
  assert.equal(speed.secondsLeft(64), 2);
  // The window keeps the last 20 steps: a slow first step (graph compilation) drops out.
  const warm = new Throughput(0);
  warm.step(10_000, 8);
  for (let i = 1; i <= 20; i++) warm.step(10_000 + i * 100, 8);
  assert.equal(warm.imagesPerSecond(), 80);
});

test('durations read as seconds, minutes:seconds, hours:minutes:seconds', () => {
  assert.deepEqual([9.4, 309, 3909, -1].map(formatDuration), ['9 s', '5:09', '1:05:09', '0 s']);
});
