/**
 * The evaluation as people read it (aligned text) and as programs read it (JSON). Rates are 0/0
 * for classes without images or predictions; those print as '-' and serialise as null.
 */
import type { Evaluation } from './evaluate.js';

const percent = (value: number | null): string => (value === null ? '-' : `${(value * 100).toFixed(2)}%`);

/** Columns padded to their widest cell; `right` marks the numeric columns. */
function table(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => [...row[c]].length)));
  const pad = (cell: string, c: number) => (right[c] ? cell.padStart(widths[c] + cell.length - [...cell].length) : cell.padEnd(widths[c] + cell.length - [...cell].length));
  return rows.map((row) => `  ${row.map(pad).join('  ').trimEnd()}`);
}

/** Largest matrix printed whole; wider ones do not fit a terminal, so the report lists the worst cells. */
const MATRIX_CLASSES = 30;

function confusionText({ classes, confusion }: Evaluation): string[] {
  return [
    'Confusion matrix (rows: true class, columns: predicted class by #):',
    ...table([
      ['#', 'class', ...classes.map((c) => String(c.index))],
      ...classes.map((c, i) => [String(c.index), c.name, ...confusion[i].map(String)]),
    ], [true, false, ...classes.map(() => true)]),
  ];
}

function frequentConfusions({ classes, confusion }: Evaluation, most = 20): string[] {
  const cells = confusion.flatMap((row, i) => row.map((count, j) => ({ count, i, j }))).filter(({ count, i, j }) => i !== j && count > 0);
  cells.sort((a, b) => b.count - a.count || a.i - b.i || a.j - b.j);
  return [
    `Most frequent confusions (the ${classes.length}-class matrix is in the JSON report and the picture):`,
    ...table([['images', 'true class', 'predicted as'], ...cells.slice(0, most).map(({ count, i, j }) => [String(count), classes[i].name, classes[j].name])], [true, false, false]),
  ];
}

/**
 * A plain-text report: accuracies, a per-class table, and the confusion matrix with columns
 * numbered by the model's class index (the `#` column of the table); past 30 classes, the most
 * frequent confusions instead of the matrix.
 *
 * @example
 * process.stdout.write(formatEvaluation(await evaluate(net, 'val')));
 */
export function formatEvaluation(result: Evaluation): string {
  const { images, classes } = result;
  const count = (rate: number) => `${Math.round(rate * images)}/${images}`;
  const lines = [
    `Dataset: ${result.root} (${images} image${images === 1 ? '' : 's'} evaluated${result.failed.length > 0 ? `, ${result.failed.length} unreadable` : ''})`,
    result.matchedBy === 'name'
      ? 'Class folders matched to the model\'s class names.'
      : 'The model carries no class names: class folders were matched to outputs by sorted position (first folder = output 0).',
    `Top-1 accuracy: ${percent(result.top1)} (${count(result.top1)})`,
    `Top-${result.k} accuracy: ${percent(result.topK)} (${count(result.topK)})`,
    `Mean per-class accuracy: ${percent(result.meanClassAccuracy)}`,
    '',
    'Per class (accuracy = correct / images of the class; precision = correct / predicted as the class):',
    ...table([
      ['#', 'class', 'images', 'correct', 'predicted', 'accuracy', 'precision'],
      ...classes.map((c) => [String(c.index), c.name, String(c.images), String(c.correct), String(c.predicted), percent(c.accuracy), percent(c.precision)]),
    ], [true, false, true, true, true, true, true]),
    '',
    ...(classes.length <= MATRIX_CLASSES ? confusionText(result) : frequentConfusions(result)),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The evaluation as a JSON document (2-space indented, confusion rows kept on one line each).
 *
 * @example
 * await writeFileAtomic('report.json', evaluationJson(result, { weights: 'model.safetensors' }));
 */
export function evaluationJson(result: Evaluation, extra: Readonly<Record<string, unknown>> = {}): string {
  const { confusion, ...rest } = result;
  const head = JSON.stringify({ ...extra, ...rest }, null, 2).slice(0, -2); // without the closing '\n}'
  // One line per confusion row, so a 100-class matrix is 100 lines, not 10,000.
  const rows = confusion.map((row) => `    ${JSON.stringify(row)}`).join(',\n');
  return `${head},\n  "confusion": [${rows ? `\n${rows}\n  ` : ''}]\n}\n`;
}
