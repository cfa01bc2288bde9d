/** `efficientnet eval <dir>`: accuracy, per-class table and confusion matrix on a labelled image folder. */
import { Command } from 'commander';
import { writeFileAtomic } from '../../node/files.js';
import { type ImageCliOptions, PartialFailureError, addImageOptions, preprocessFor } from '../imageOptions.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { type Int8CliOptions, addInt8Options, int8IfAsked } from '../int8Options.js';
import { positiveInt } from '../options.js';
import { progressBar } from '../progress.js';
import { ComparisonTally, type Evaluation, checkFigurePath, confusionFigure, evaluateModels, evaluationJson, formatComparison, formatEvaluation, imageFolder, writeFigure } from '../../index.js';

interface EvalOptions extends ModelCliOptions, Int8CliOptions, ImageCliOptions {
  topK?: number;
  json?: boolean;
  output?: string;
  confusion?: string;
}

const warn = (message: string) => process.stderr.write(`efficientnet: ${message}\n`);

export function registerEval(program: Command): void {
  addInt8Options(addImageOptions(addModelOptions(program
    .command('eval')
    .description('measure a classifier on a labelled image folder: top-1, top-k, per-class accuracy and the confusion matrix')
    .argument('<dir>', 'dataset folder laid out as <dir>/<class>/<image>'))))
    .option('--top-k <k>', 'k of the top-k accuracy (default: 5, or the number of classes when fewer)', positiveInt)
    .option('--json', 'print the report as JSON instead of text')
    .option('--output <file>', 'also write the JSON report to this file')
    .option('--confusion <file>', 'draw the confusion matrix to a .svg or .png file')
    .action(async (dir: string, opts: EvalOptions) => {
      // Refuse a bad picture name before the model loads and the images run.
      if (opts.confusion) checkFigurePath(opts.confusion);
      const dataset = await imageFolder(dir, { minClasses: 1 });
      for (const { path, reason } of dataset.skipped) warn(`skipped ${path}: ${reason}`);
      const net = await int8IfAsked(await loadModel(opts), opts);
      try {
        // An int8 model is reported beside its float original on the same images, decoded once.
        const fp32 = net.quantization ? net.withQuantization(undefined) : undefined;
        const tally = new ComparisonTally(net.config.numClasses);
        const bar = progressBar(dataset.samples.length, fp32 ? 'eval int8 + fp32' : 'eval', '{bar} {value}/{total} | {rate} img/s | ETA {eta_formatted}');
        let evaluations: Evaluation[];
        try {
          evaluations = await evaluateModels(fp32 ? [net, fp32] : [net], dataset, {
            batchSize: opts.batchSize,
            topK: opts.topK,
            preprocess: preprocessFor(net, opts),
            onBatch: ({ done, failed }) => {
              for (const { path, reason } of failed) warn(`skipped ${path}: ${reason}`);
              bar.update(done);
            },
          }, fp32 ? ([int8Logits, fp32Logits], count) => tally.add(fp32Logits, int8Logits, count) : undefined);
        } finally {
          bar.stop();
          await fp32?.dispose();
        }
        const [result, fp32Result] = evaluations;
        const pair = fp32Result && { fp32: fp32Result, comparison: tally.result() };
        // The text report says this itself; JSON only carries it as a field, so say it once on stderr.
        if (result.matchedBy === 'index' && opts.json) warn('the model carries no class names; class folders were matched to its outputs by sorted position');
        const json = evaluationJson(result, {
          weights: opts.weights, model: net.config.name,
          ...(pair ? {
            precision: 'int8', calibration: { method: net.quantization!.method, images: net.quantization!.images, keepFloat: net.quantization!.keepFloat },
            fp32: { top1: pair.fp32.top1, topK: pair.fp32.topK, k: pair.fp32.k }, agreement: pair.comparison.agreement, maxLogitDifference: pair.comparison.maxLogitDifference,
          } : {}),
        });
        if (opts.output) await writeFileAtomic(opts.output, json);
        if (opts.confusion) await writeFigure(opts.confusion, confusionFigure(result));
        process.stdout.write(opts.json ? json : formatEvaluation(result) + (pair ? `\n${formatComparison(pair.fp32, result, pair.comparison)}` : ''));
        const problems = result.failed.length + result.skipped.length;
        if (problems > 0) {
          throw new PartialFailureError(`${problems} file${problems === 1 ? '' : 's'} could not be evaluated (see above); the report covers the other ${result.images}`);
        }
      } finally {
        await net.dispose();
      }
    });
}
