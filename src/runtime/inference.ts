/**
 * The inference graph: the network as ONNX operators with batch norm folded into the
 * convolutions, dynamic batch and spatial size, and any set of outputs from the one chain
 * stem → blocks → head → pool → classifier.
 */
import type { ConvLayer, ConvBn, MBConvBlock, NetworkSpec } from '../arch/network.js';
import { WeightLoadError } from '../errors.js';
import type { StateDict } from '../weights/tensor.js';
import { FoldedWeights } from './fold.js';
import { GraphBuilder, type ModelOptions } from './onnx/graph.js';

/** What the graph returns: logits [N, K], pooled features [N, C], the final map [N, C, h, w], or every endpoint. */
export type InferenceOutput = 'logits' | 'pooled' | 'features' | 'endpoints';

export interface InferenceGraph {
  readonly model: Uint8Array;
  /** With `external: true`: the initializers' bytes, to hand to Session.create. */
  readonly externalData: readonly { readonly path: string; readonly data: Uint8Array; readonly offset: number }[];
  readonly inputName: string;
  readonly outputNames: readonly string[];
  /**
   * Endpoint name → graph output holding it. The head endpoint is the `features` output when
   * both are asked for (one tensor cannot be two graph outputs).
   */
  readonly endpointOutputs: ReadonlyMap<string, string>;
}

export interface InferenceGraphOptions extends ModelOptions {
  /** Fixed batch size; symbolic (`batch`) by default. */
  readonly batchSize?: number;
  /** Fixed [height, width]; symbolic by default. */
  readonly imageSize?: readonly [number, number];
  /** Keep large initializers out of the protobuf (for sessions; files want them inline). */
  readonly external?: boolean;
  /** With `external`: put them all in this one file (for exports past protobuf's 2 GB). */
  readonly externalFile?: string;
}

/**
 * Builds the inference graph from a network and its weights (reference key names, or already
 * folded and shared with other graphs), with one output or several.
 *
 * @example
 * const { model } = buildInferenceGraph(net, weights, 'logits');
 * const all = buildInferenceGraph(net, folded, ['logits', 'pooled', 'features'], { external: true });
 */
export function buildInferenceGraph(net: NetworkSpec, weights: StateDict | FoldedWeights, output: InferenceOutput | readonly InferenceOutput[], options: InferenceGraphOptions = {}): InferenceGraph {
  const wanted = new Set<InferenceOutput>(typeof output === 'string' ? [output] : output);
  if (wanted.has('logits') && !net.fc) throw new WeightLoadError(`${net.config.name} was built with includeTop: false and has no classifier; ask for 'pooled' features instead`);
  const g = new GraphBuilder(net.config.name);
  const emit = new Emitter(g, weights);
  const [height, width] = options.imageSize ?? ['height', 'width'];
  const input = g.input('input', 'float32', [options.batchSize ?? 'batch', net.config.inChannels, height, width]); // [N, C, H, W]

  // Output shapes: exact when the input size is fixed, symbolic otherwise.
  const batch = options.batchSize ?? 'batch';
  const mapDims = (channels: number, size: readonly [number, number], name: string) =>
    options.imageSize ? [batch, channels, size[0], size[1]] : [batch, channels, `${name}_height`, `${name}_width`];
  const outputs: string[] = [];
  const endpointOutputs = new Map<string, string>();
  const endpointAfter = new Map(net.endpoints.map((e) => [e.blockIndex, e.name]));
  let x = emit.swish(emit.convBn(input, net.stem));
  for (const block of net.blocks) {
    x = emit.block(x, block);
    const endpoint = endpointAfter.get(block.index);
    if (wanted.has('endpoints') && endpoint) {
      outputs.push(g.output(x, endpoint, 'float32', mapDims(block.outChannels, block.outputSize, endpoint)));
      endpointOutputs.set(endpoint, endpoint);
    }
  }
  const features = emit.swish(emit.convBn(x, net.head)); // [N, C_head, h, w]
  const headName = endpointAfter.get(-1)!;
  const headOutput = wanted.has('features') ? 'features' : headName;
  if (wanted.has('features') || wanted.has('endpoints')) outputs.push(g.output(features, headOutput, 'float32', mapDims(net.featureChannels, net.head.conv.outputSize, headOutput)));
  if (wanted.has('endpoints')) endpointOutputs.set(headName, headOutput);
  if (wanted.has('pooled') || wanted.has('logits')) {
    const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [features])], { axis: { int: 1 } }); // [N, C_head]
    if (wanted.has('pooled')) outputs.push(g.output(pooled, 'pooled', 'float32', [batch, net.featureChannels]));
    if (wanted.has('logits')) {
      const fc = net.fc!;
      const logits = g.node('Gemm', [pooled, emit.param(`${fc.name}.weight`), emit.param(`${fc.name}.bias`)], { transB: { int: 1 } }); // [N, K]
      outputs.push(g.output(logits, 'logits', 'float32', [batch, fc.outFeatures]));
    }
  }
  const modelOptions = { ...options, docString: options.docString ?? `${net.config.name} inference (${[...wanted].join(', ')})` };
  const { model, externalData } = options.external ? g.toModelWithExternalData(modelOptions, options.externalFile) : { model: g.toModel(modelOptions), externalData: [] };
  return { model, externalData, inputName: input, outputNames: outputs, endpointOutputs };
}

/** Emits layers into a graph, reading weights by their reference names (also the training graph's frozen prefix). */
export class Emitter {
  private readonly weights: FoldedWeights;

  constructor(
    private readonly g: GraphBuilder,
    weights: StateDict | FoldedWeights,
  ) {
    this.weights = weights instanceof FoldedWeights ? weights : new FoldedWeights(weights);
  }

  param(key: string): string {
    return this.g.floats(key, this.weights.weights.get(key)!.shape, this.weights.tensor(key));
  }

  swish(x: string): string {
    return this.g.node('Mul', [x, this.g.node('Sigmoid', [x])]);
  }

  conv(x: string, layer: ConvLayer, weight: string, bias?: string): string {
    return this.g.node('Conv', bias ? [x, weight, bias] : [x, weight], {
      kernel_shape: { ints: [layer.kernel, layer.kernel] },
      strides: { ints: [layer.stride, layer.stride] },
      pads: { ints: layer.pads },
      group: { int: layer.groups },
    }, layer.name);
  }

  /** Convolution with its batch norm folded in (see FoldedWeights). */
  convBn(x: string, layer: ConvBn): string {
    const { conv } = layer;
    const { weight, bias } = this.weights.convBn(layer);
    const w = this.g.floats(`${conv.name}.weight`, [conv.outChannels, conv.inChannels / conv.groups, conv.kernel, conv.kernel], weight);
    const b = this.g.floats(`${conv.name}.bias`, [conv.outChannels], bias);
    return this.conv(x, conv, w, b);
  }

  /** An MBConv or Fused-MBConv block: the parts it has, in order (see MBConvBlock). */
  block(input: string, block: MBConvBlock): string {
    let x = input; // [N, C_in, H, W]
    // MBConv: 1×1 to [N, C_in·e, H, W]. Fused: k×k strided to [N, C_in·e, H/s, W/s] (C_out at ratio 1).
    if (block.expand) x = this.swish(this.convBn(x, block.expand));
    if (block.depthwise) x = this.swish(this.convBn(x, block.depthwise)); // [N, C_in·e, H/s, W/s]
    if (block.se) {
      const { reduce, expand } = block.se;
      let s = this.g.node('GlobalAveragePool', [x]); // [N, C_in·e, 1, 1]
      s = this.swish(this.conv(s, reduce, this.param(`${reduce.name}.weight`), this.param(`${reduce.name}.bias`))); // [N, C_se, 1, 1]
      s = this.g.node('Sigmoid', [this.conv(s, expand, this.param(`${expand.name}.weight`), this.param(`${expand.name}.bias`))]);
      x = this.g.node('Mul', [x, s]);
    }
    if (block.project) x = this.convBn(x, block.project); // [N, C_out, H/s, W/s]
    // Drop connect is the identity at inference.
    return block.residual ? this.g.node('Add', [x, input], {}, `${block.name}.out`) : x;
  }
}
