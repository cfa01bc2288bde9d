/** `efficientnet features <files|folders|globs...> --output feats.npy|.jsonl`: pooled features per image. */
import { Command } from 'commander';
import { writeOutput } from '../../node/files.js';
import { PartialFailureError, type ImageCliOptions, addImageOptions, forEachImageBatch } from '../imageOptions.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { type Int8CliOptions, addInt8Options, int8IfAsked } from '../int8Options.js';
import { writeNpy } from '../../index.js';

interface FeaturesOptions extends ModelCliOptions, Int8CliOptions, ImageCliOptions {
  output: string;
}

export function registerFeatures(program: Command): void {
  addInt8Options(addImageOptions(addModelOptions(program
    .command('features')
    .description('write one row of pooled features per image: .npy [N, C] (file order printed on stdout) or .jsonl')
    .argument('<inputs...>', 'image files, folders or globs'))))
    .requiredOption('--output <file>', "feats.npy or feats.jsonl ('-': JSON lines on stdout)")
    .action(async (inputs: string[], opts: FeaturesOptions, command: Command) => {
      const jsonl = opts.output.endsWith('.jsonl') || opts.output === '-';
      if (!jsonl && !opts.output.endsWith('.npy')) command.error(`error: --output '${opts.output}' should end in .npy or .jsonl`, { exitCode: 2 });
      const net = await int8IfAsked(await loadModel(opts), opts);
      const rows: Float32Array[] = [];
      const names: string[] = [];
      const channels = net.network.featureChannels;
      let partial: PartialFailureError | undefined;
      try {
        await forEachImageBatch(net, inputs, opts, async (batch, files) => {
          const { data } = await net.pooledFeatures(batch);
          files.forEach((file, i) => {
            rows.push(data.slice(i * channels, (i + 1) * channels));
            names.push(file);
          });
        });
      } catch (error) {
        if (!(error instanceof PartialFailureError)) throw error;
        partial = error; // still write what was read
      } finally {
        await net.dispose();
      }
      if (jsonl) {
        await writeOutput(opts.output, names.map((file, i) => `${JSON.stringify({ file, features: Array.from(rows[i]) })}\n`).join(''));
      } else {
        const data = new Float32Array(rows.length * channels);
        rows.forEach((row, i) => data.set(row, i * channels));
        await writeNpy(opts.output, { dtype: 'float32', shape: [rows.length, channels], data });
        process.stdout.write(names.map((file, i) => `${i}\t${file}\n`).join(''));
      }
      if (partial) throw partial;
    });
}
