/**
 * The loss and accuracy curves of a run, side by side (training solid, validation dashed, per
 * epoch), as SVG and as a PNG beside it, drawn with the shared chart code in src/report.
 */
import { lineChart, type Series } from '../report/lineChart.js';
import { type Figure, stack } from '../report/svg.js';
import { writeFigure } from '../report/write.js';
import type { EpochRecord } from './runState.js';

function series(history: readonly EpochRecord[], pick: (r: EpochRecord) => number | undefined, validation: boolean): Series {
  return {
    name: validation ? 'validation' : 'training',
    dashed: validation,
    points: history.flatMap((r) => { const v = pick(r); return v === undefined ? [] : [[r.epoch + 1, v] as const]; }),
  };
}

/**
 * The two-panel figure: loss on the left, accuracy (0–1) on the right.
 *
 * @example
 * curvesFigure([{ epoch: 0, loss: 2.3, accuracy: 0.1, seconds: 5 }]).width // 1280
 */
export function curvesFigure(history: readonly EpochRecord[]): Figure {
  const withValidation = history.some((r) => r.validationLoss !== undefined);
  const panel = (title: string, train: (r: EpochRecord) => number | undefined, val: (r: EpochRecord) => number | undefined, yRange?: readonly [number, number]) =>
    lineChart(withValidation ? [series(history, train, false), series(history, val, true)] : [series(history, train, false)], { title, xLabel: 'epoch', yLabel: title, yRange });
  return stack([
    panel('loss', (r) => r.loss, (r) => r.validationLoss),
    panel('accuracy', (r) => r.accuracy, (r) => r.validationAccuracy, [0, 1]),
  ], 'row');
}

/**
 * Writes `path` (.svg) and the same picture as PNG beside it (`.png`), each atomically.
 *
 * @example
 * await drawCurves('model.curves.svg', result.history);
 */
export async function drawCurves(path: string, history: readonly EpochRecord[]): Promise<void> {
  const figure = curvesFigure(history);
  await writeFigure(path, figure);
  await writeFigure(path.replace(/\.svg$/i, '') + '.png', figure);
}
