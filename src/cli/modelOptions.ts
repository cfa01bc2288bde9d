/** Options shared by the commands that load a model, and the one way they load it. */
import { Command, Option } from 'commander';
import { imageSize, positiveInt, providerList } from './options.js';
import { progressBar } from './progress.js';
import { EfficientNet, PADDING_STYLES, type PaddingStyle } from '../index.js';

export interface ModelCliOptions {
  weights: string;
  model?: string;
  padding?: PaddingStyle;
  imageSize?: number | [number, number];
  threads?: number;
  provider?: string[];
  ema?: boolean;
}

/**
 * Adds --weights (required, optional, or 'none' for commands that take the checkpoint
 * positionally), --model, --padding, --image-size, --ema, and unless `runtime` is false (commands
 * that run nothing) --threads and --provider.
 */
export function addModelOptions(command: Command, weightsRequired: boolean | 'none' = true, runtime = true): Command {
  const weights = '--weights <file|tag>';
  const help = 'checkpoint (.pth, .pt, .bin, .safetensors) or registry tag such as lukemelas:efficientnet-b0';
  if (weightsRequired === true) command.requiredOption(weights, help);
  else if (weightsRequired === false) command.option(weights, help);
  command
    .option('--model <name>', 'variant: efficientnet-b0 … efficientnet-l2, or torchvision/timm names (default: recognised from the checkpoint)')
    .addOption(new Option('--padding <style>', 'convolution padding (default: from the weights)').choices(PADDING_STYLES))
    .option('--image-size <size>', 'image size N or HxW that same padding is computed for (default: the variant\'s resolution)', imageSize)
    .option('--ema', 'use the EMA weights of a training checkpoint');
  if (runtime) {
    command
      .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
      .option('--provider <list>', 'execution providers in order, e.g. webgpu,cpu (default cpu)', providerList);
  }
  return command;
}

/**
 * Loads the model the options name, with a download bar for registry tags.
 *
 * @example
 * const net = await loadModel(opts);
 */
export async function loadModel(opts: ModelCliOptions, extra: { numClasses?: number; inChannels?: number } = {}): Promise<EfficientNet> {
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    return await EfficientNet.fromWeights(opts.weights, {
      model: opts.model,
      padding: opts.padding,
      imageSize: opts.imageSize,
      ema: opts.ema,
      ...extra,
      runtime: { intraOpThreads: opts.threads, executionProviders: opts.provider },
      onProgress: ({ received, total }) => {
        bar ??= progressBar(total ?? 0, 'download', '{bar} {percentage}% | {value}/{total} bytes | ETA {eta_formatted}');
        if (total) bar.setTotal(total);
        bar.update(received);
      },
      onRetry: ({ attempt, retries, reason, received }) => {
        bar?.stop();
        bar = undefined; // a fresh bar for the resumed request, under the line
        process.stderr.write(`efficientnet: download: ${reason}; retry ${attempt} of ${retries}, resuming at byte ${received}\n`);
      },
    });
  } finally {
    bar?.stop();
  }
}
