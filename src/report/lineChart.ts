/**
 * Line charts for training curves (loss and accuracy per step or epoch): several named series on
 * shared axes with round-number ticks, a legend, and gaps where values are missing or not finite
 * (a diverged loss breaks the line instead of flattening the chart).
 */
import { ConfigError } from '../errors.js';
import { type Figure, element, line, rect, text, textWidth, translate } from './svg.js';
import { formatTick, niceTicks } from './ticks.js';

/** One line: `points` are [x, y] pairs in increasing x (e.g. [epoch, loss]). */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** CSS colour; by default the next of a colour-blind-safe palette. */
  readonly color?: string;
  /** Dashed line, e.g. for validation beside training. */
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Size of the whole figure in pixels. Default 640 × 400. */
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracy; by default the data's range, rounded out to ticks. */
  readonly yRange?: readonly [number, number];
  /** Draw a dot at every point (default: only when a series has 30 points or fewer). */
  readonly markers?: boolean;
}

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

const FONT = 12;
// Clip paths need ids unique within a document, and stacked charts share one document.
let clipIds = 0;

/**
 * A line chart of one or more series, as a {@link Figure}; turn it into a file with
 * `svgDocument` (string) or `writeFigure` (.svg or .png).
 *
 * @example
 * const chart = lineChart(
 *   [{ name: 'train loss', points: [[1, 2.3], [2, 1.1], [3, 0.7]] },
 *    { name: 'val loss', points: [[1, 2.4], [2, 1.3], [3, 0.9]], dashed: true }],
 *   { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy' },
 * );
 * await writeFigure('curves.png', chart);
 */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): Figure {
  if (options.yRange && !(options.yRange[1] > options.yRange[0])) throw new ConfigError(`yRange must be [min, max] with max > min, got [${options.yRange.join(', ')}]`);
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const finite = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const [xMin, xMax] = extent(finite.map(([x]) => x));
  const [yMin, yMax] = extent(finite.map(([, y]) => y));
  const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor(width / 100)));
  const yTicks = options.yRange ? niceTicks(options.yRange[0], options.yRange[1], 5) : niceTicks(yMin, yMax, 5);
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = options.yRange ? [options.yRange[0], options.yRange[1]] : [yTicks[0], yTicks[yTicks.length - 1]];
  const yStep = yTicks[1] - yTicks[0];
  const xStep = xTicks[1] - xTicks[0];
  const yLabels = yTicks.filter((t) => t >= y0 - 1e-12 && t <= y1 + 1e-12);

  const left = 16 + (options.yLabel ? FONT + 8 : 0) + Math.max(...yLabels.map((t) => textWidth(formatTick(t, yStep), FONT)));
  const top = options.title ? 36 : 16;
  const legendWidth = series.length > 0 ? 28 + Math.max(...series.map((s) => textWidth(s.name, FONT))) : 0;
  const plotWidth = Math.max(40, width - left - 16 - legendWidth);
  const plotHeight = Math.max(40, height - top - 28 - (options.xLabel ? FONT + 12 : 0));
  const px = (x: number) => ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number) => plotHeight - ((y - y0) / (y1 - y0)) * plotHeight;

  const grid: string[] = [rect(0, 0, plotWidth, plotHeight, { fill: 'none', stroke: '#888' })];
  for (const t of yLabels) {
    grid.push(line(0, py(t), plotWidth, py(t), { stroke: '#e5e5e5' }));
    grid.push(text(-6, py(t) + FONT / 3, formatTick(t, yStep), { 'font-size': FONT, 'text-anchor': 'end', fill: '#333' }));
  }
  for (const t of xTicks) {
    grid.push(line(px(t), plotHeight, px(t), plotHeight + 4, { stroke: '#888' }));
    grid.push(text(px(t), plotHeight + FONT + 6, formatTick(t, xStep), { 'font-size': FONT, 'text-anchor': 'middle', fill: '#333' }));
  }
  if (finite.length === 0) grid.push(text(plotWidth / 2, plotHeight / 2, 'no data', { 'font-size': FONT, 'text-anchor': 'middle', fill: '#888' }));

  const lines = series.map((s, i) => seriesPath(s, s.color ?? PALETTE[i % PALETTE.length], px, py, options.markers ?? s.points.length <= 30));
  // Lines may not leave the plot when yRange cuts them.
  const clipId = `plot-area-${++clipIds}`;
  const clip = element('clipPath', { id: clipId }, rect(-4, -4, plotWidth + 8, plotHeight + 8));
  const plot = translate(left, top, clip + grid.join('') + element('g', { 'clip-path': `url(#${clipId})` }, lines.join('')));

  const labels: string[] = [];
  if (options.title) labels.push(text(left + plotWidth / 2, 22, options.title, { 'font-size': FONT + 3, 'font-weight': 'bold', 'text-anchor': 'middle' }));
  if (options.xLabel) labels.push(text(left + plotWidth / 2, top + plotHeight + 2 * FONT + 14, options.xLabel, { 'font-size': FONT, 'text-anchor': 'middle' }));
  if (options.yLabel) labels.push(text(0, 0, options.yLabel, { 'font-size': FONT, 'text-anchor': 'middle', transform: `translate(${FONT + 2},${top + plotHeight / 2}) rotate(-90)` }));
  const legend = series.map((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = top + 8 + i * (FONT + 8);
    return line(0, y, 18, y, { stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '5,3' : undefined }) + text(24, y + FONT / 3, s.name, { 'font-size': FONT });
  });
  return { width, height, body: plot + labels.join('') + translate(left + plotWidth + 12, 0, legend.join('')) };
}

/** [min, max] by a loop: a long run's per-step losses are more values than Math.min(...) takes. */
function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** One series as polylines, split wherever a point is missing or not finite. */
function seriesPath(series: Series, color: string, px: (x: number) => number, py: (y: number) => number, markers: boolean): string {
  const runs: [number, number][][] = [[]];
  const dots: string[] = [];
  for (const [x, y] of series.points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (runs[runs.length - 1].length > 0) runs.push([]);
      continue;
    }
    runs[runs.length - 1].push([px(x), py(y)]);
    if (markers) dots.push(element('circle', { cx: px(x), cy: py(y), r: 2.5, fill: color }));
  }
  const style = { fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-dasharray': series.dashed ? '5,3' : undefined };
  const round = (v: number) => Math.round(v * 100) / 100;
  const paths = runs.filter((r) => r.length > 1).map((r) => element('polyline', { points: thin(r).map(([x, y]) => `${round(x)},${round(y)}`).join(' '), ...style }));
  return element('g', {}, paths.join('') + dots.join(''));
}

/**
 * At most four points per pixel column (first, lowest, highest, last, in order): a 300,000-step
 * loss curve draws the same envelope from a few thousand points instead of megabytes.
 */
function thin(points: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  while (start < points.length) {
    const column = Math.floor(points[start][0]);
    let end = start;
    let low = start;
    let high = start;
    while (end + 1 < points.length && Math.floor(points[end + 1][0]) === column) {
      end++;
      if (points[end][1] < points[low][1]) low = end;
      if (points[end][1] > points[high][1]) high = end;
    }
    for (const i of [...new Set([start, low, high, end])].sort((a, b) => a - b)) out.push(points[i]);
    start = end + 1;
  }
  return out;
}
