/** `efficientnet convert <in> <out>`: any checkpoint to .pth or .safetensors in any key family. */
import { Command, Option } from 'commander';
import { KEY_FAMILIES, type KeyFamily } from '../../weights/keymaps.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';

interface ConvertOptions extends Omit<ModelCliOptions, 'weights'> {
  to?: KeyFamily;
  format?: 'pth' | 'safetensors';
}

export function registerConvert(program: Command): void {
  addModelOptions(program
    .command('convert')
    .description('convert a checkpoint between formats (.pth zip, .safetensors) and key families (lukemelas, torchvision, timm)')
    .argument('<in>', 'checkpoint or registry tag')
    .argument('<out>', 'output file; .pth/.pt/.bin write PyTorch zip format, anything else safetensors'), false)
    .addOption(new Option('--to <family>', 'key names to write (default: those of the input)').choices(KEY_FAMILIES))
    .addOption(new Option('--format <format>', 'output format (default: from the extension)').choices(['pth', 'safetensors']))
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const net = await loadModel({ ...opts, weights: input });
      await net.save(output, { family: opts.to ?? net.family, format: opts.format });
      process.stderr.write(`wrote ${output}: ${net.config.name}, ${net.weights.size} tensors, ${opts.to ?? net.family} key names\n`);
    });
}
