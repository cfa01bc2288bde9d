/** The confusion matrix as a picture: counts written in, cells shaded by share of their row. */
import { heatmap } from '../report/heatmap.js';
import type { Figure } from '../report/svg.js';
import type { Metrics } from './metrics.js';

/**
 * A heatmap of the confusion matrix. Shading by row share (the per-class accuracy on the
 * diagonal) keeps small classes as visible as large ones.
 *
 * @example
 * await writeFigure('confusion.png', confusionFigure(await evaluate(net, 'val')));
 */
export function confusionFigure(metrics: Metrics, title = `Confusion matrix: top-1 ${(metrics.top1 * 100).toFixed(1)}% of ${metrics.images} images`): Figure {
  const names = metrics.classes.map((c) => c.name);
  const rowTotals = metrics.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return heatmap(metrics.confusion, {
    rowLabels: names,
    columnLabels: names,
    title,
    xLabel: 'predicted class',
    yLabel: 'true class',
    shade: (value, row) => (rowTotals[row] > 0 ? value / rowTotals[row] : 0),
  });
}
