/**
 * `efficientnet forward`: runs the network on an NCHW float32 `.npy` and writes logits (or the
 * final features, or every endpoint) as `.npy`. This is how anyone checks us against PyTorch.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { writeOutput } from '../../node/files.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { checkNchwFile, readNpy, serializeNpy, writeNpy } from '../../index.js';

interface ForwardOptions extends ModelCliOptions {
  input: string;
  output?: string;
  features?: boolean;
  endpoints?: string;
}

export function registerForward(program: Command): void {
  addModelOptions(program
    .command('forward')
    .description('run the network on an NCHW float32 .npy and write the logits (or features) as .npy'))
    .requiredOption('--input <x.npy>', 'input batch, float32 [N, C, H, W]')
    .option('--output <y.npy>', "where to write logits [N, classes] (or features with --features); '-' for stdout")
    .addOption(new Option('--features', 'write the final feature map [N, C, h, w] instead of logits').conflicts('endpoints'))
    .option('--endpoints <dir>', 'write every endpoint as DIR/reduction_K.npy')
    .action(async (opts: ForwardOptions, command: Command) => {
      if (!opts.output && !opts.endpoints) command.error('error: --output <y.npy> is required unless --endpoints <dir> is given', { exitCode: 2 });
      const x = await readNpy(opts.input);
      checkNchwFile(opts.input, x);
      const net = await loadModel(opts);
      try {
        const batch = { data: x.data, dims: x.shape };
        const written: string[] = [];
        if (opts.endpoints) {
          await mkdir(opts.endpoints, { recursive: true });
          const endpoints = Object.entries(await net.extractEndpoints(batch));
          for (const [name, value] of endpoints) {
            await writeNpy(join(opts.endpoints, `${name}.npy`), { dtype: 'float32', shape: value.dims, data: value.data });
          }
          written.push(`${endpoints.length} endpoints in ${opts.endpoints} (${endpoints.map(([name, v]) => `${name} [${v.dims.join(', ')}]`).join(', ')})`);
        }
        if (opts.output) {
          const y = opts.features ? await net.extractFeatures(batch) : await net.forward(batch);
          await writeOutput(opts.output, serializeNpy({ dtype: 'float32', shape: y.dims, data: y.data }));
          const what = opts.features ? 'features' : net.network.fc ? 'logits' : 'pooled features';
          written.unshift(`${what} [${y.dims.join(', ')}] to ${opts.output}`);
        }
        process.stderr.write(`wrote ${written.join('; ')}\n`);
      } finally {
        await net.dispose();
      }
    });
}
