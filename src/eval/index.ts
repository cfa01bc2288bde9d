/**
 * Measuring a classifier on a labelled image folder: `evaluate` runs it, the metric functions
 * are pure and usable on any scores, and the report functions format the result.
 *
 * @example
 * const result = await evaluate(net, 'flowers/val');
 * process.stdout.write(formatEvaluation(result));
 * await writeFigure('confusion.png', confusionFigure(result));
 */
export { evaluate, evaluateModels, type EvaluateOptions, type Evaluation } from './evaluate.js';
export { matchClasses, type ClassMapping } from './classes.js';
export { argmax, targetRank, topKAccuracy, confusionMatrix, classMetrics, computeMetrics, metricsFromScores, type Metrics, type ClassMetrics } from './metrics.js';
export { formatEvaluation, evaluationJson } from './format.js';
export { confusionFigure } from './picture.js';
