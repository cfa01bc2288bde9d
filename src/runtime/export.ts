/**
 * The inference graph as a standalone ONNX file: weights inline, or in `<file>.data` beside it
 * (ONNX's external-data convention) when they pass protobuf's 2 GB limit or when asked.
 */
import { basename, dirname, join } from 'pathe';
import type { NetworkSpec } from '../arch/network.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import { platform } from '../platform/index.js';
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
  /**
   * The fp16 graph (weights and activations float16, float32 input and outputs: see
   * src/runtime/quantize/fp16.ts), for WebGPU adapters with `shader-f16`. Float models only.
   */
  fp16?: boolean;
}

/** What an exported file says about its inputs and outputs, so another runtime can use it alone. */
export interface OnnxDescription {
  /** Class names, index → name (written as a JSON array under `labels`). */
  readonly labels?: readonly string[];
  /** The evaluation transform (written as `resize`, `crop`, `interpolation`, `mean`, `std`). */
  readonly preprocess?: PreprocessConfig;
}

/**
 * The ONNX `metadata_props`: plain strings, numbers and JSON arrays, one key per fact.
 *
 * @example
 * onnxMetadata(net, { preprocess }) // { model: 'efficientnet-b0', padding: 'same', resize: '224', crop: '[224,224]', interpolation: 'bicubic', mean: '[0.485,0.456,0.406]', std: '[0.229,0.224,0.225]' }
 */
export function onnxMetadata(net: NetworkSpec, about: OnnxDescription = {}): Record<string, string> {
  const props: Record<string, string> = { model: net.config.name, padding: net.config.padding };
  const p = about.preprocess;
  if (p) Object.assign(props, { resize: String(p.resize), crop: JSON.stringify(p.crop), interpolation: p.interpolation, mean: JSON.stringify(p.mean), std: JSON.stringify(p.std) });
  if (p?.resizeMode === 'squash') props.resizeMode = 'squash'; // absent: the shorter side, as before
  if (about.labels && net.fc) props.labels = JSON.stringify(about.labels);
  return props;
}

/** Protobuf cannot encode a message of 2 GiB or more; leave room for the graph itself. */
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 2 ** 24;

function graphOptions(net: NetworkSpec, options: OnnxExportOptions, about: OnnxDescription): InferenceGraphOptions {
  return {
    opset: options.opset,
    batchSize: options.batchSize,
    imageSize: options.dynamicSize ? undefined : net.config.imageSize,
    metadata: onnxMetadata(net, about),
  };
}

function outputOf(net: NetworkSpec, options: OnnxExportOptions): InferenceOutput {
  return options.output ?? (net.fc ? 'logits' : 'pooled');
}

/**
 * A self-contained ONNX file's bytes.
 *
 * @example
 * const bytes = onnxBytes(net.network, net.weights, { batchSize: 1 }, { labels, preprocess });
 */
export function onnxBytes(net: NetworkSpec, weights: StateDict, options: OnnxExportOptions = {}, about: OnnxDescription = {}, build: typeof buildInferenceGraph = buildInferenceGraph): Uint8Array {
  return build(net, weights, outputOf(net, options), graphOptions(net, options, about)).model;
}

/**
 * Writes the ONNX file (and its `.data` file when needed), each atomically.
 *
 * @example
 * await writeOnnx('l2.onnx', net.network, net.weights); // l2.onnx + l2.onnx.data
 */
export async function writeOnnx(path: string, net: NetworkSpec, weights: StateDict, options: OnnxExportOptions & { externalData?: boolean } = {}, about: OnnxDescription = {}, build?: typeof buildInferenceGraph): Promise<{ bytes: number; dataFile?: string }> {
  const weightBytes = [...weights.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
  // A graph pass (int8, fp16) writes its smaller weights inline.
  if (build || !(options.externalData || weightBytes > PROTOBUF_LIMIT_BYTES)) {
    const model = onnxBytes(net, weights, options, about, build);
    await platform().files.write(path, model);
    return { bytes: model.byteLength };
  }
  const dataFile = `${basename(path)}.data`;
  const graph = buildInferenceGraph(net, weights, outputOf(net, options), { ...graphOptions(net, options, about), external: true, externalFile: dataFile });
  const chunks: Uint8Array[] = [];
  let end = 0;
  for (const { data, offset } of graph.externalData) {
    if (offset > end) chunks.push(new Uint8Array(offset - end)); // alignment padding
    chunks.push(data);
    end = offset + data.byteLength;
  }
  // The data first: a graph file never points at a data file that is not complete.
  await platform().files.write(join(dirname(path), dataFile), chunks);
  await platform().files.write(path, graph.model);
  return { bytes: graph.model.byteLength + end, dataFile };
}
