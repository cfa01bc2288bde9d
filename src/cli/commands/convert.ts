/** `efficientnet convert <in> <out>`: any checkpoint to .pth or .safetensors in any key family. */
import { Command, Option } from 'commander';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { KEY_FAMILIES, type KeyFamily } from '../../index.js';

interface ConvertOptions extends Omit<ModelCliOptions, 'weights'> {
  to?: KeyFamily;
  format?: 'pth' | 'safetensors';
  force?: boolean;
}

export function registerConvert(program: Command): void {
  // The checkpoint is the first argument, so no --weights; nothing runs, so no --threads or --provider.
  addModelOptions(program
    .command('convert')
    .description('convert a checkpoint between formats (.pth zip, .safetensors) and key families (lukemelas, torchvision, timm)')
    .argument('<in>', 'checkpoint or registry tag')
    .argument('<out>', 'output file; .pth/.pt/.bin write PyTorch zip format, anything else safetensors'), 'none', false)
    .addOption(new Option('--to <family>', 'key names to write (default: those of the input)').choices(KEY_FAMILIES))
    .addOption(new Option('--format <format>', 'output format (default: from the extension)').choices(['pth', 'safetensors']))
    .option('--force', 'write torchvision key names even for "same"-padding weights, which torchvision would run with symmetric padding (and its own batch-norm epsilon)')
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const net = await loadModel({ ...opts, weights: input });
      try {
        const family = opts.to ?? net.family;
        await net.save(output, { family, format: opts.format, force: opts.force });
        process.stderr.write(`wrote ${output}: ${net.config.name}, ${net.weights.size} tensors, ${family} key names\n`);
      } finally {
        await net.dispose();
      }
    });
}
