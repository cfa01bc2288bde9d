/**
 * `efficientnet forward`: runs the network on an NCHW float32 `.npy` and writes logits (or the
 * final features, or every endpoint) as `.npy`. This is how anyone checks us against PyTorch.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { PADDING_STYLES, type PaddingStyle } from '../../arch/padding.js';
import { InputShapeError } from '../../errors.js';
import { readNpy, writeNpy } from '../../io/npy.js';
import { EfficientNet } from '../../model.js';
import { imageSize, positiveInt, providerList } from '../options.js';

interface ForwardOptions {
  model?: string;
  weights: string;
  input: string;
  output?: string;
  padding?: PaddingStyle;
  imageSize?: number | [number, number];
  features?: boolean;
  endpoints?: string;
  threads?: number;
  provider?: string[];
}

export function registerForward(program: Command): void {
  program
    .command('forward')
    .description('run the network on an NCHW float32 .npy and write the logits (or features) as .npy')
    .requiredOption('--weights <file>', 'checkpoint (safetensors; reference or torchvision key names)')
    .requiredOption('--input <x.npy>', 'input batch, float32 [N, C, H, W]')
    .option('--output <y.npy>', 'where to write logits [N, classes] (or features with --features)')
    .option('--model <name>', 'variant (default: recognised from the checkpoint)')
    .addOption(new Option('--padding <style>', 'convolution padding (default: same for reference weights, symmetric for torchvision)').choices(PADDING_STYLES))
    .option('--image-size <size>', 'size that same padding is computed for (default: the variant\'s resolution, as the reference does)', imageSize)
    .addOption(new Option('--features', 'write the final feature map [N, C, h, w] instead of logits').conflicts('endpoints'))
    .option('--endpoints <dir>', 'write every endpoint as DIR/reduction_K.npy')
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
    .option('--provider <list>', 'execution providers in order, e.g. webgpu,cpu (default cpu)', providerList)
    .action(async (opts: ForwardOptions, command: Command) => {
      if (!opts.output && !opts.endpoints) command.error('error: --output <y.npy> is required unless --endpoints <dir> is given', { exitCode: 2 });
      const x = await readNpy(opts.input);
      if (x.dtype !== 'float32' || x.shape.length !== 4) {
        throw new InputShapeError(`${opts.input} holds ${x.dtype} [${x.shape.join(', ')}]; expected float [N, C, H, W]`);
      }
      const net = await EfficientNet.fromWeights(opts.weights, {
        model: opts.model,
        padding: opts.padding,
        imageSize: opts.imageSize,
        runtime: { intraOpThreads: opts.threads, executionProviders: opts.provider },
      });
      try {
        const batch = { data: x.data, dims: x.shape };
        if (opts.endpoints) {
          await mkdir(opts.endpoints, { recursive: true });
          for (const [name, value] of Object.entries(await net.extractEndpoints(batch))) {
            await writeNpy(join(opts.endpoints, `${name}.npy`), { dtype: 'float32', shape: value.dims, data: value.data });
          }
        }
        if (opts.output) {
          const y = opts.features ? await net.extractFeatures(batch) : await net.forward(batch);
          await writeNpy(opts.output, { dtype: 'float32', shape: y.dims, data: y.data });
        }
      } finally {
        await net.dispose();
      }
    });
}
