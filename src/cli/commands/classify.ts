/** `efficientnet classify <files|folders|globs...>`: top-k classes per image. */
import { Command } from 'commander';
import { type ImageCliOptions, addImageOptions, forEachImageBatch } from '../imageOptions.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { type Int8CliOptions, addInt8Options, int8IfAsked } from '../int8Options.js';
import { positiveInt } from '../options.js';
import { loadLabels, modelLabels, requireClassifier, softmaxRows, topK } from '../../index.js';

interface ClassifyOptions extends ModelCliOptions, Int8CliOptions, ImageCliOptions {
  topK: number;
  json?: boolean;
  labels?: string;
}

export function registerClassify(program: Command): void {
  addInt8Options(addImageOptions(addModelOptions(program
    .command('classify')
    .description('print the most probable classes of each image (folders are walked recursively)')
    .argument('<inputs...>', 'image files, folders or globs'))))
    .option('--top-k <k>', 'classes per image', positiveInt, 5)
    .option('--json', 'one JSON object per line: {"file", "predictions": [{index, label, probability}]}')
    .option('--labels <file>', 'class names: JSON array, {"0": name} map, or one per line')
    .action(async (inputs: string[], opts: ClassifyOptions) => {
      const net = await int8IfAsked(await loadModel(opts), opts);
      try {
        const classes = requireClassifier(net, 'classify');
        const labels = opts.labels ? await loadLabels(opts.labels, classes) : await modelLabels(net);
        await forEachImageBatch(net, inputs, opts, async (batch, files) => {
          const probabilities = softmaxRows((await net.forward(batch)).data, classes);
          files.forEach((file, i) => {
            const predictions = topK(probabilities.subarray(i * classes, (i + 1) * classes), opts.topK, labels);
            process.stdout.write(opts.json
              ? `${JSON.stringify({ file, predictions })}\n`
              : `${file}\t${predictions.map((p) => `${p.label} (${(p.probability * 100).toFixed(1)}%)`).join('\t')}\n`);
          });
        });
      } finally {
        await net.dispose();
      }
    });
}
