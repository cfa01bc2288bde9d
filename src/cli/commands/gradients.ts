/**
 * `efficientnet gradients`: one forward and backward pass on an NCHW float32 `.npy` batch and
 * its labels, writing the loss and every trainable gradient under the checkpoint's own key
 * names as safetensors. This is how anyone checks our gradients against PyTorch.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { finiteNumber, positiveInt } from '../options.js';
import { EfficientNet, PADDING_STYLES, checkNchwFile, computeGradients, floatTensor, parseFreeze, readNpy, writeSafetensors, type PaddingStyle } from '../../index.js';

interface GradientsOptions {
  model?: string;
  weights: string;
  input: string;
  labels: string;
  output: string;
  freeze: string;
  bn: 'train' | 'frozen';
  padding?: PaddingStyle;
  labelSmoothing: number;
  dropout?: boolean;
  dropConnect?: boolean;
  seed: number;
  threads?: number;
}

/**
 * Registers `efficientnet gradients` on the program.
 *
 * @example
 * registerGradients(program);
 */
export function registerGradients(program: Command): void {
  program
    .command('gradients')
    .description('one forward and backward pass: write the loss and every trainable gradient (checkpoint key names) as safetensors')
    .requiredOption('--weights <file>', 'checkpoint (safetensors; reference or torchvision key names)')
    .requiredOption('--input <x.npy>', 'input batch, float32 [N, C, H, W]; the network is built for its H×W')
    .requiredOption('--labels <y.npy>', 'class indices [N] (int64 or float), or target distributions float [N, classes]')
    .requiredOption('--output <grads.safetensors>', 'where to write `loss` and the gradients')
    .option('--model <name>', 'variant (default: recognised from the checkpoint)')
    .option('--freeze <what>', 'none, head (classifier only) or stages:N (last N stages, head and classifier)', 'none')
    .addOption(new Option('--bn <mode>', 'batch norm: train (batch statistics) or frozen (running statistics)').choices(['train', 'frozen']).default('train'))
    .addOption(new Option('--padding <style>', 'convolution padding (default: same for reference weights, symmetric for torchvision)').choices(PADDING_STYLES))
    .option('--label-smoothing <eps>', 'label smoothing of index labels', finiteNumber, 0)
    .option('--dropout', 'apply dropout before the classifier (off by default)')
    .option('--drop-connect', 'apply drop connect in the residual blocks (off by default)')
    .option('--seed <n>', 'seed of the dropout and drop-connect masks', seedNumber, 0)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
    .action(async (opts: GradientsOptions) => {
      const freeze = parseFreeze(opts.freeze);
      const x = await readNpy(opts.input);
      checkNchwFile(opts.input, x);
      const y = await readNpy(opts.labels);
      const net = await EfficientNet.fromWeights(opts.weights, {
        model: opts.model,
        padding: opts.padding,
        imageSize: [x.shape[2], x.shape[3]],
        runtime: { intraOpThreads: opts.threads },
      });
      try {
        const labels = y.dtype === 'int64' ? y.data : y.shape.length === 2 ? { data: y.data, dims: y.shape } : y.data;
        const result = await computeGradients(net, { data: x.data, dims: x.shape }, labels, {
          freeze,
          batchNorm: opts.bn,
          labelSmoothing: opts.labelSmoothing,
          dropout: opts.dropout,
          dropConnect: opts.dropConnect,
          seed: opts.seed,
        });
        const out = new Map([['loss', floatTensor([], Float32Array.of(result.loss))]]);
        for (const [key, g] of result.gradients) out.set(key, floatTensor(g.shape, g.data));
        await writeSafetensors(opts.output, out, { model: net.config.name, freeze: opts.freeze, bn: opts.bn });
        process.stderr.write(`wrote ${opts.output}: loss ${result.loss.toPrecision(6)} and ${result.gradients.size} gradients (${net.config.name}, freeze ${opts.freeze}, bn ${opts.bn})\n`);
      } finally {
        await net.dispose();
      }
    });
}

function seedNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a non-negative integer.`);
  return n;
}
