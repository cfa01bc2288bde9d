/** `efficientnet export`: the inference graph as a standalone ONNX file. */
import { Command } from 'commander';
import { writeFileAtomic } from '../../util/files.js';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { positiveInt } from '../options.js';

interface ExportOptions extends ModelCliOptions {
  onnx: string;
  opset?: number;
  dynamicBatch?: boolean;
  features?: boolean;
}

export const EXPORT_OPSETS = { min: 13, max: 21 };

export function registerExport(program: Command): void {
  addModelOptions(program
    .command('export')
    .description('write the inference graph (batch norm folded) as an ONNX file that any ONNX runtime accepts'))
    .requiredOption('--onnx <out.onnx>', 'output file')
    .option('--opset <n>', `ONNX opset, ${EXPORT_OPSETS.min}–${EXPORT_OPSETS.max} (default 17)`, positiveInt)
    .option('--dynamic-batch', 'symbolic batch dimension (default: batch 1)')
    .option('--features', 'output pooled features [N, C] instead of logits')
    .action(async (opts: ExportOptions, command: Command) => {
      if (opts.opset !== undefined && (opts.opset < EXPORT_OPSETS.min || opts.opset > EXPORT_OPSETS.max)) {
        command.error(`error: opset ${opts.opset} is not supported; expected ${EXPORT_OPSETS.min} to ${EXPORT_OPSETS.max}`, { exitCode: 2 });
      }
      const net = await loadModel(opts);
      const bytes = net.toOnnx({ opset: opts.opset, batchSize: opts.dynamicBatch ? undefined : 1, output: opts.features ? 'pooled' : undefined });
      await writeFileAtomic(opts.onnx, bytes);
      const [h, w] = net.config.imageSize;
      process.stderr.write(`wrote ${opts.onnx}: ${net.config.name}, input [${opts.dynamicBatch ? 'batch' : 1}, ${net.config.inChannels}, ${h}, ${w}], ${(bytes.byteLength / 1e6).toFixed(1)} MB\n`);
    });
}
