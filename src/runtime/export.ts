/**
 * The inference graph as a standalone ONNX file: weights inline, or in `<file>.data` beside it
 * (ONNX's external-data convention) when they pass protobuf's 2 GB limit or when asked.
 */
import { basename, dirname, join } from 'node:path';
import type { NetworkSpec } from '../arch/network.js';
import { writeFileAtomic } from '../util/files.js';
import type { StateDict } from '../weights/tensor.js';
import { type InferenceGraphOptions, type InferenceOutput, buildInferenceGraph } from './inference.js';

export interface OnnxExportOptions {
  /** Default: logits, or pooled features without a classifier. */
  output?: InferenceOutput;
  /** Default 17. */
  opset?: number;
  /** Fixed batch size; dynamic when omitted. */
  batchSize?: number;
  /** Symbolic height and width instead of the configured image size. */
  dynamicSize?: boolean;
}

/** Protobuf cannot encode a message of 2 GiB or more; leave room for the graph itself. */
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 2 ** 24;

function graphOptions(net: NetworkSpec, options: OnnxExportOptions): InferenceGraphOptions {
  return {
    opset: options.opset,
    batchSize: options.batchSize,
    imageSize: options.dynamicSize ? undefined : net.config.imageSize,
    metadata: { model: net.config.name, padding: net.config.padding },
  };
}

function outputOf(net: NetworkSpec, options: OnnxExportOptions): InferenceOutput {
  return options.output ?? (net.fc ? 'logits' : 'pooled');
}

/**
 * A self-contained ONNX file's bytes.
 *
 * @example
 * const bytes = onnxBytes(net.network, net.weights, { batchSize: 1 });
 */
export function onnxBytes(net: NetworkSpec, weights: StateDict, options: OnnxExportOptions = {}): Uint8Array {
  return buildInferenceGraph(net, weights, outputOf(net, options), graphOptions(net, options)).model;
}

/**
 * Writes the ONNX file (and its `.data` file when needed), each atomically.
 *
 * @example
 * await writeOnnx('l2.onnx', net.network, net.weights); // l2.onnx + l2.onnx.data
 */
export async function writeOnnx(path: string, net: NetworkSpec, weights: StateDict, options: OnnxExportOptions & { externalData?: boolean } = {}): Promise<{ bytes: number; dataFile?: string }> {
  const weightBytes = [...weights.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
  if (!(options.externalData || weightBytes > PROTOBUF_LIMIT_BYTES)) {
    const model = onnxBytes(net, weights, options);
    await writeFileAtomic(path, model);
    return { bytes: model.byteLength };
  }
  const dataFile = `${basename(path)}.data`;
  const graph = buildInferenceGraph(net, weights, outputOf(net, options), { ...graphOptions(net, options), external: true, externalFile: dataFile });
  const chunks: Uint8Array[] = [];
  let end = 0;
  for (const { data, offset } of graph.externalData) {
    if (offset > end) chunks.push(new Uint8Array(offset - end)); // alignment padding
    chunks.push(data);
    end = offset + data.byteLength;
  }
  // The data first: a graph file never points at a data file that is not complete.
  await writeFileAtomic(join(dirname(path), dataFile), chunks);
  await writeFileAtomic(path, graph.model);
  return { bytes: graph.model.byteLength + end, dataFile };
}
