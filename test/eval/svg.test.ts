/** The SVG toolkit: escaping, ticks, line charts and heatmaps, and PNG rendering. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { heatmap } from '../../src/report/heatmap.js';
import { lineChart } from '../../src/report/lineChart.js';
import { escapeXml, stack, svgDocument } from '../../src/report/svg.js';
import { formatTick, niceTicks } from '../../src/report/ticks.js';
import { writeFigure } from '../../src/report/write.js';

test('text is escaped for content and attributes, and characters XML forbids are replaced', () => {
  assert.equal(escapeXml(`a & b < c > d "e" 'f'`), 'a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;');
  assert.equal(escapeXml('bell\u0007tab\t'), 'bell\uFFFDtab\t');
  const svg = svgDocument(lineChart([{ name: '<train> & "val"', points: [[0, 1], [1, 0.5]] }], { title: 'a<b' }));
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.match(svg, /&lt;train&gt; &amp; &quot;val&quot;/);
  assert.match(svg, />a&lt;b</);
  assert.doesNotMatch(svg.replace(/&(amp|lt|gt|quot|#39);/g, ''), /&|<[^/a-zA-Z]/);
});

test('ticks fall on round numbers and enclose the range', () => {
  assert.deepEqual(niceTicks(0.13, 0.92, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1, 40, 6), [0, 10, 20, 30, 40]);
  assert.deepEqual(niceTicks(3, 3, 4), [2.5, 3, 3.5], 'a flat series is centred');
  assert.equal(formatTick(0.25, 0.05), '0.25');
  assert.equal(formatTick(20, 10), '20');
});

test('line charts break at non-finite values, stack, and check their y range', () => {
  const loss = lineChart([{ name: 'loss', points: [[1, 2], [2, NaN], [3, 1], [4, 0.5]] }], { title: 'Loss', xLabel: 'epoch', yLabel: 'loss' });
  const polylines = loss.body.match(/<polyline /g) ?? [];
  assert.equal(polylines.length, 1, 'the lone point before NaN is a dot, the rest one line');
  const both = stack([loss, lineChart([], { title: 'empty' })]);
  assert.equal(both.height, 800);
  assert.match(both.body, /no data/);
  // Two charts in one document get distinct clip paths.
  const ids = [...both.body.matchAll(/clipPath id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, 2);
  assert.throws(() => lineChart([], { yRange: [1, 1] }), ConfigError);
});

test('heatmaps shade by value, write the numbers in, and keep full labels as tooltips', () => {
  const long = 'a very long class name that will not fit';
  const figure = heatmap([[5, 0], [1, 4]], { rowLabels: ['cat', long], columnLabels: ['cat', long] });
  assert.match(figure.body, /<title>a very long class name that will not fit<\/title>a very long class name …/);
  assert.match(figure.body, /fill="#08306b"/, 'the largest cell is darkest');
  assert.match(figure.body, />5<\/text>/);
});

test('figures are written as SVG or PNG by name, and other names are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enet-svg-'));
  try {
    const chart = lineChart([{ name: 'acc', points: [[1, 0.5], [2, 0.75]] }], { yRange: [0, 1] });
    await writeFigure(join(dir, 'c.svg'), chart);
    await writeFigure(join(dir, 'c.PNG'), chart);
    assert.match(await readFile(join(dir, 'c.svg'), 'utf8'), /^<svg [^>]*width="640" height="400"/);
    assert.deepEqual([...(await readFile(join(dir, 'c.PNG'))).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await assert.rejects(writeFigure(join(dir, 'c.jpg'), chart), /should end in '\.svg' or '\.png'/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('long runs and large matrices stay small: curves keep their envelope, blank cells are not drawn', () => {
  const steps = Array.from({ length: 300_000 }, (_, i): [number, number] => [i, i === 123_456 ? 9 : Math.exp(-i / 1e5)]);
  const chart = lineChart([{ name: 'loss', points: steps }], { width: 640, height: 400 });
  assert.ok(chart.body.length < 100_000, `${chart.body.length} characters`);
  const ys = [...chart.body.matchAll(/points="([^"]+)"/g)].flatMap((m) => m[1].split(' ').map((p) => Number(p.split(',')[1])));
  // y axis 0…10: the single spike to 9 among values ≤ 1 still reaches 90% of the plot's height.
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  assert.ok(Math.abs(top - bottom * 0.1) < 1, `spike at ${top}, plot bottom ${bottom}`);
  const n = 1000;
  const diagonal = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 50 : 0)));
  const names = diagonal.map((_, i) => `n${i}`);
  const figure = heatmap(diagonal, { rowLabels: names, columnLabels: names });
  assert.equal((figure.body.match(/<rect /g) ?? []).length, n + 2, 'background, one per shaded cell, frame');
});
