/**
 * Pictures as SVG, without dependencies: build a {@link Figure} with `lineChart` or `heatmap`,
 * combine figures with `stack`, then write with `writeFigure` (.svg as is, .png through sharp)
 * or get the document text with `svgDocument`.
 *
 * @example
 * // Loss and accuracy curves of a training run, one chart above the other:
 * import { lineChart, stack, writeFigure } from '../report/index.js';
 * const loss = lineChart([
 *   { name: 'train', points: epochs.map((e) => [e.epoch, e.trainLoss]) },
 *   { name: 'validation', points: epochs.map((e) => [e.epoch, e.valLoss]), dashed: true },
 * ], { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy' });
 * const accuracy = lineChart([
 *   { name: 'train', points: epochs.map((e) => [e.epoch, e.trainAccuracy]) },
 *   { name: 'validation', points: epochs.map((e) => [e.epoch, e.valAccuracy]), dashed: true },
 * ], { title: 'Accuracy', xLabel: 'epoch', yLabel: 'top-1', yRange: [0, 1] });
 * await writeFigure('model.curves.svg', stack([loss, accuracy]));
 */
export { type Figure, svgDocument } from './svg.js';
export { lineChart, PALETTE, type Series, type LineChartOptions } from './lineChart.js';
export { heatmap, blues, type HeatmapOptions } from './heatmap.js';
export { niceTicks, formatTick } from './ticks.js';
export { writeFigure, svgToPng, checkFigurePath, FIGURE_EXTENSIONS } from './write.js';
