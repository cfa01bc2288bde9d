/** `efficientnet summary <model>`: the module tree, a per-layer table and totals. */
import { Command, Option } from 'commander';
import { imageSize, positiveInt } from '../options.js';
import { PADDING_STYLES, buildNetwork, formatModuleTree, formatSummary, resolveConfig, summarize, type PaddingStyle } from '../../index.js';

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('print the module tree (reference names), a per-layer table and the totals')
    .argument('<model>', 'efficientnet-b0 … efficientnet-b8, efficientnet-l2 (also efficientnet_b0, tf_efficientnet_b0, b0)')
    .option('--image-size <size>', 'input size N or HxW (default: the variant\'s resolution)', imageSize)
    .option('--num-classes <n>', 'classifier outputs', positiveInt, 1000)
    .option('--in-channels <n>', 'image channels', positiveInt, 3)
    .addOption(new Option('--padding <style>', 'convolution padding').choices(PADDING_STYLES).default('same'))
    .option('--no-tree', 'omit the module tree')
    .option('--json', 'print the summary as JSON')
    .action((model: string, opts: { imageSize?: number | [number, number]; numClasses: number; inChannels: number; padding: PaddingStyle; tree: boolean; json?: boolean }) => {
      const net = buildNetwork(resolveConfig(model, { imageSize: opts.imageSize, numClasses: opts.numClasses, inChannels: opts.inChannels, padding: opts.padding }));
      const summary = summarize(net);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      if (opts.tree) process.stdout.write(`${formatModuleTree(net)}\n\n`);
      process.stdout.write(`${formatSummary(summary)}\n`);
    });
}
