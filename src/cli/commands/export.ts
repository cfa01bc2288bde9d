/** `efficientnet export`: the inference graph as a standalone ONNX file. */
import { Command } from 'commander';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { type Int8CliOptions, addInt8Options, int8IfAsked } from '../int8Options.js';
import { positiveInt } from '../options.js';

interface ExportOptions extends ModelCliOptions, Int8CliOptions {
  onnx: string;
  opset?: number;
  dynamicBatch?: boolean;
  features?: boolean;
  externalData?: boolean;
  fp16?: boolean;
}

export const EXPORT_OPSETS = { min: 13, max: 21 };

export function registerExport(program: Command): void {
  addInt8Options(addModelOptions(program
    .command('export')
    .description('write the inference graph (batch norm folded) as an ONNX file that any ONNX runtime accepts')))
    .requiredOption('--onnx <out.onnx>', 'output file')
    .option('--opset <n>', `ONNX opset, ${EXPORT_OPSETS.min}–${EXPORT_OPSETS.max} (default 17)`, positiveInt)
    .option('--dynamic-batch', 'symbolic batch dimension (default: batch 1)')
    .option('--features', 'output pooled features [N, C] instead of logits')
    .option('--fp16', 'float16 weights and activations (float32 input and output), for WebGPU adapters with shader-f16; not with --int8')
    .option('--external-data', 'store the weights in <out.onnx>.data (automatic past protobuf\'s 2 GB limit)')
    .action(async (opts: ExportOptions, command: Command) => {
      if (opts.opset !== undefined && (opts.opset < EXPORT_OPSETS.min || opts.opset > EXPORT_OPSETS.max)) {
        command.error(`error: opset ${opts.opset} is not supported; expected ${EXPORT_OPSETS.min} to ${EXPORT_OPSETS.max}`, { exitCode: 2 });
      }
      if (opts.fp16 && opts.int8) command.error('error: --fp16 and --int8 are two different graphs; choose one', { exitCode: 2 });
      const net = await int8IfAsked(await loadModel(opts), opts);
      const { bytes, dataFile } = await net.exportOnnx(opts.onnx, {
        opset: opts.opset, batchSize: opts.dynamicBatch ? undefined : 1, output: opts.features ? 'pooled' : undefined, externalData: opts.externalData, fp16: opts.fp16,
      });
      const [h, w] = net.config.imageSize;
      const where = dataFile ? ` (weights in ${dataFile})` : '';
      process.stderr.write(`wrote ${opts.onnx}${where}: ${net.config.name}${net.quantization ? ' int8' : opts.fp16 ? ' fp16' : ''}, input [${opts.dynamicBatch ? 'batch' : 1}, ${net.config.inChannels}, ${h}, ${w}], ${(bytes / 1e6).toFixed(1)} MB\n`);
    });
}
