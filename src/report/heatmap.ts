/**
 * A labelled grid of shaded cells with their values written in, e.g. a confusion matrix. Cells
 * shrink as the grid grows so a 100-class matrix still fits a page; numbers are left out once
 * cells are too small to hold them, and long labels are cut (the full text stays in a tooltip).
 */
import { type Figure, element, escapeXml, rect, text, textWidth, translate, truncate } from './svg.js';

export interface HeatmapOptions {
  /** One label per row and per column. */
  readonly rowLabels: readonly string[];
  readonly columnLabels: readonly string[];
  readonly title?: string;
  /** Axis titles, e.g. 'predicted' and 'true class'. */
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Shade of each cell in [0, 1]; default value / largest value. */
  readonly shade?: (value: number, row: number, column: number) => number;
  /** Text written in each cell; default the value itself, '' for none. */
  readonly format?: (value: number, row: number, column: number) => string;
  /** Longest label kept whole. Default 24 characters. */
  readonly maxLabelChars?: number;
}

const FONT = 12;
const LIGHT = [247, 251, 255];
const DARK = [8, 48, 107];

/**
 * White to dark blue (ColorBrewer's Blues end points), linear in `t` ∈ [0, 1].
 *
 * @example
 * blues(1) // '#08306b'
 */
export function blues(t: number): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const channel = (i: number) => Math.round(LIGHT[i] + (DARK[i] - LIGHT[i]) * clamped).toString(16).padStart(2, '0');
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}

/**
 * A heatmap of `matrix` (rows × columns) as a {@link Figure}.
 *
 * @example
 * const figure = heatmap([[5, 1], [0, 4]], { rowLabels: ['cat', 'dog'], columnLabels: ['cat', 'dog'], xLabel: 'predicted', yLabel: 'true' });
 */
export function heatmap(matrix: readonly (readonly number[])[], options: HeatmapOptions): Figure {
  const rows = matrix.length;
  const columns = options.columnLabels.length;
  // Loops, not Math.max(...values): a 1000-class matrix has more values than a call takes arguments.
  const largest = matrix.reduce((most, row) => row.reduce((m, v) => (v > m ? v : m), most), 0);
  const shade = options.shade ?? ((value: number) => (largest > 0 ? value / largest : 0));
  const format = options.format ?? ((value: number) => String(value));
  const maxChars = options.maxLabelChars ?? 24;
  const cell = Math.max(4, Math.min(48, Math.floor(640 / Math.max(rows, columns, 1))));
  const cellFont = Math.min(FONT, cell * 0.4);
  const labelFont = Math.min(FONT, Math.max(6, cell * 0.8));
  const label = (content: string, x: number, y: number, attributes: Record<string, string | number>) =>
    element('text', { x, y, 'font-size': labelFont, ...attributes }, element('title', {}, escapeXml(content)) + escapeXml(truncate(content, maxChars)));
  const widest = (labels: readonly string[]) => labels.reduce((most, l) => Math.max(most, textWidth(truncate(l, maxChars), labelFont)), 0);

  const left = 12 + (options.yLabel ? FONT + 10 : 0) + widest(options.rowLabels);
  const top = 12 + (options.title ? FONT + 16 : 0) + (options.xLabel ? FONT + 10 : 0) + widest(options.columnLabels);
  const gridWidth = columns * cell;
  const gridHeight = rows * cell;

  // The grid starts at the lightest shade, so only shaded cells need a rectangle of their own:
  // a sparse 1000-class confusion matrix stays megabytes, not tens of megabytes.
  const cells: string[] = [rect(0, 0, columns * cell, rows * cell, { fill: blues(0) })];
  matrix.forEach((values, r) => values.forEach((value, c) => {
    const t = shade(value, r, c);
    if (t > 0) cells.push(rect(c * cell, r * cell, cell, cell, { fill: blues(t), stroke: '#fff', 'stroke-width': 0.5 }));
    const content = cell >= 16 ? format(value, r, c) : '';
    if (content && textWidth(content, cellFont) <= cell - 2) {
      cells.push(text(c * cell + cell / 2, r * cell + cell / 2 + cellFont / 3, content, { 'font-size': cellFont, 'text-anchor': 'middle', fill: t > 0.5 ? '#fff' : '#222' }));
    }
  }));
  const rowText = options.rowLabels.map((l, r) => label(l, -6, r * cell + cell / 2 + labelFont / 3, { 'text-anchor': 'end' }));
  // Column labels read upwards so long class names do not collide.
  const columnText = options.columnLabels.map((l, c) => label(l, 0, 0, { transform: `translate(${c * cell + cell / 2 + labelFont / 3},-6) rotate(-90)` }));
  const grid = translate(left, top, cells.join('') + rowText.join('') + columnText.join('') + rect(0, 0, gridWidth, gridHeight, { fill: 'none', stroke: '#888' }));

  const titleWidth = options.title ? textWidth(options.title, FONT + 3) + 24 : 0;
  const width = Math.max(left + gridWidth + 16, titleWidth);
  // Centred over the grid unless that would push a wide title off either edge.
  const titleX = Math.max(titleWidth / 2, Math.min(left + gridWidth / 2, width - titleWidth / 2));
  const titles: string[] = [];
  if (options.title) titles.push(text(titleX, 12 + FONT + 3, options.title, { 'font-size': FONT + 3, 'font-weight': 'bold', 'text-anchor': 'middle' }));
  if (options.xLabel) titles.push(text(left + gridWidth / 2, top - widest(options.columnLabels) - 14, options.xLabel, { 'font-size': FONT, 'text-anchor': 'middle' }));
  if (options.yLabel) titles.push(text(0, 0, options.yLabel, { 'font-size': FONT, 'text-anchor': 'middle', transform: `translate(${12 + FONT / 2},${top + gridHeight / 2}) rotate(-90)` }));
  return { width, height: top + gridHeight + 16, body: grid + titles.join('') };
}
