/**
 * Turns a resolved configuration into the concrete network: every convolution with its
 * channels, stride, padding and the spatial size it sees, named as in the reference
 * (`_conv_stem`, `_blocks.3._depthwise_conv`, `_fc`). Pure: no weights, no I/O.
 */
import type { EfficientNetConfig, ImageSize } from './config.js';
import { axisPadding, convOutputSize } from './padding.js';
import { roundFilters, roundRepeats } from './scaling.js';
import type { BlockKind } from './stages.js';

export interface ConvLayer {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly groups: number;
  readonly bias: boolean;
  /** ONNX order: [top, left, bottom, right]. */
  readonly pads: readonly [number, number, number, number];
  readonly inputSize: ImageSize;
  readonly outputSize: ImageSize;
}

export interface BatchNormLayer {
  readonly name: string;
  readonly channels: number;
  readonly eps: number;
  readonly momentum: number;
}

/** A convolution followed by batch norm (swish is applied by the caller where the block wants it). */
export interface ConvBn {
  readonly conv: ConvLayer;
  readonly bn: BatchNormLayer;
}

/**
 * One block. An MBConv block has `expand` (1×1, absent at ratio 1), `depthwise`, `se` and
 * `project`. A Fused-MBConv block has `expand` (the full k×k strided convolution, followed by
 * swish) and `project`; at ratio 1 its `expand` maps straight to the output channels and there
 * is no `project`. Every consumer walks the present parts in this order.
 */
export interface MBConvBlock {
  readonly kind: BlockKind;
  readonly index: number;
  /** Stage (row of the stage table) this block belongs to, from 0. */
  readonly stage: number;
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  /** MBConv: 1×1 expansion, absent when the expand ratio is 1. Fused: the k×k strided convolution. */
  readonly expand?: ConvBn;
  /** MBConv only. */
  readonly depthwise?: ConvBn;
  /** Squeeze-and-excitation 1×1 convolutions (with bias) on the pooled map. */
  readonly se?: { readonly reduce: ConvLayer; readonly expand: ConvLayer };
  /** 1×1 projection without activation; absent only in a ratio-1 fused block. */
  readonly project?: ConvBn;
  /** Residual connection (stride 1, same channels, skip allowed). */
  readonly residual: boolean;
  /** Stochastic-depth drop probability of this block in training. */
  readonly dropConnectRate: number;
  readonly inputSize: ImageSize;
  readonly outputSize: ImageSize;
}

export interface LinearLayer {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** A named intermediate output: the last map at each resolution, then the head output. */
export interface Endpoint {
  readonly name: string;
  /** Index of the block whose output this is, or -1 for the head. */
  readonly blockIndex: number;
  readonly channels: number;
  readonly size: ImageSize;
}

export interface NetworkSpec {
  readonly config: EfficientNetConfig;
  readonly stem: ConvBn;
  readonly blocks: readonly MBConvBlock[];
  readonly head: ConvBn;
  /** Channels of the final feature map (and of the pooled features). */
  readonly featureChannels: number;
  readonly fc?: LinearLayer;
  readonly endpoints: readonly Endpoint[];
}

/**
 * Builds the concrete layer list for a configuration.
 *
 * @example
 * buildNetwork(resolveConfig('efficientnet-b0')).blocks.length // 16
 */
export function buildNetwork(config: EfficientNetConfig): NetworkSpec {
  const bn = (name: string, channels: number): BatchNormLayer => ({
    name, channels, eps: config.batchNormEpsilon, momentum: config.batchNormMomentum,
  });
  const conv = (name: string, inputSize: ImageSize, inChannels: number, outChannels: number, kernel: number, stride: number, groups = 1, bias = false): ConvLayer => {
    const [top, bottom] = axisPadding(config.padding, inputSize[0], kernel, stride);
    const [left, right] = axisPadding(config.padding, inputSize[1], kernel, stride);
    const outputSize: ImageSize = [
      convOutputSize(inputSize[0], kernel, stride, [top, bottom]),
      convOutputSize(inputSize[1], kernel, stride, [left, right]),
    ];
    return { name, inChannels, outChannels, kernel, stride, groups, bias, pads: [top, left, bottom, right], inputSize, outputSize };
  };
  const convBn = (convName: string, bnName: string, inputSize: ImageSize, inChannels: number, outChannels: number, kernel: number, stride: number, groups = 1): ConvBn => ({
    conv: conv(convName, inputSize, inChannels, outChannels, kernel, stride, groups),
    bn: bn(bnName, outChannels),
  });
  type Parts = Pick<MBConvBlock, 'expand' | 'depthwise' | 'se' | 'project'>;
  // [N, C_in, H, W] → 1×1 expand → k×k depthwise (stride) → SE → 1×1 project → [N, C_out, H/s, W/s]
  const mbconvParts = (name: string, inputSize: ImageSize, inChannels: number, outChannels: number, stride: number, ratio: number, kernel: number, seRatio: number): Parts => {
    const mid = inChannels * ratio;
    const expand = ratio !== 1 ? convBn(`${name}._expand_conv`, `${name}._bn0`, inputSize, inChannels, mid, 1, 1) : undefined;
    const depthwise = convBn(`${name}._depthwise_conv`, `${name}._bn1`, inputSize, mid, mid, kernel, stride, mid);
    const squeezed = Math.max(1, Math.floor(inChannels * seRatio)); // of the block input, as torchvision's input_channels // 4
    const se = seRatio > 0 && seRatio <= 1
      ? {
          reduce: conv(`${name}._se_reduce`, [1, 1], mid, squeezed, 1, 1, 1, true),
          expand: conv(`${name}._se_expand`, [1, 1], squeezed, mid, 1, 1, 1, true),
        }
      : undefined;
    const project = convBn(`${name}._project_conv`, `${name}._bn2`, depthwise.conv.outputSize, mid, outChannels, 1, 1);
    return { expand, depthwise, se, project };
  };
  // [N, C_in, H, W] → k×k conv (stride) to C_in·e → 1×1 project → [N, C_out, H/s, W/s]; ratio 1: the k×k conv gives C_out.
  const fusedParts = (name: string, inputSize: ImageSize, inChannels: number, outChannels: number, stride: number, ratio: number, kernel: number): Parts => {
    if (ratio === 1) return { expand: convBn(`${name}._expand_conv`, `${name}._bn0`, inputSize, inChannels, outChannels, kernel, stride) };
    const expand = convBn(`${name}._expand_conv`, `${name}._bn0`, inputSize, inChannels, inChannels * ratio, kernel, stride);
    return { expand, project: convBn(`${name}._project_conv`, `${name}._bn2`, expand.conv.outputSize, inChannels * ratio, outChannels, 1, 1) };
  };
  const filters = (channels: number) => roundFilters(channels, config.width, 8, 8, config.roundLimit);

  const stemChannels = filters(config.stemChannels);
  const stem = convBn('_conv_stem', '_bn0', config.imageSize, config.inChannels, stemChannels, 3, 2);

  // Expand the stage table into blocks: the first block of a stage carries its stride and
  // channel change, the repeats keep both.
  const plan = config.stages.flatMap((stage, stageIndex) => {
    const repeats = roundRepeats(stage.repeats, config.depth);
    const inChannels = filters(stage.inChannels);
    const outChannels = filters(stage.outChannels);
    return Array.from({ length: repeats }, (_, i) => ({
      stage: stageIndex,
      spec: stage,
      inChannels: i === 0 ? inChannels : outChannels,
      outChannels,
      stride: i === 0 ? stage.stride : 1,
    }));
  });

  let size = stem.conv.outputSize;
  const blocks: MBConvBlock[] = plan.map((p, index) => {
    const name = `_blocks.${index}`;
    const { spec } = p;
    const inputSize = size;
    const parts = spec.block === 'fused'
      ? fusedParts(name, inputSize, p.inChannels, p.outChannels, p.stride, spec.expandRatio, spec.kernel)
      : mbconvParts(name, inputSize, p.inChannels, p.outChannels, p.stride, spec.expandRatio, spec.kernel, spec.seRatio);
    size = (parts.project ?? parts.expand!).conv.outputSize;
    return {
      kind: spec.block,
      index,
      stage: p.stage,
      name,
      inChannels: p.inChannels,
      outChannels: p.outChannels,
      stride: p.stride,
      ...parts,
      residual: spec.idSkip && p.stride === 1 && p.inChannels === p.outChannels,
      dropConnectRate: (config.dropConnectRate * index) / plan.length,
      inputSize,
      outputSize: size,
    };
  });

  const lastChannels = blocks.length > 0 ? blocks[blocks.length - 1].outChannels : stemChannels;
  const featureChannels = filters(config.headChannels);
  const head = convBn('_conv_head', '_bn1', size, lastChannels, featureChannels, 1, 1);
  const fc = config.includeTop ? { name: '_fc', inFeatures: featureChannels, outFeatures: config.numClasses } : undefined;
  return { config, stem, blocks, head, featureChannels, fc, endpoints: findEndpoints(blocks, head) };
}

/**
 * The reference's `extract_endpoints`: the output of every block that is followed by a
 * downsampling block, the last block, and the head.
 */
function findEndpoints(blocks: readonly MBConvBlock[], head: ConvBn): Endpoint[] {
  const endpoints: Endpoint[] = [];
  blocks.forEach((block, i) => {
    const next = blocks[i + 1];
    const beforeDownsampling = next !== undefined && next.outputSize[0] < next.inputSize[0];
    if (beforeDownsampling || next === undefined) {
      endpoints.push({ name: `reduction_${endpoints.length + 1}`, blockIndex: i, channels: block.outChannels, size: block.outputSize });
    }
  });
  endpoints.push({ name: `reduction_${endpoints.length + 1}`, blockIndex: -1, channels: head.conv.outChannels, size: head.conv.outputSize });
  return endpoints;
}

/** Every convolution / batch-norm pair of the network, stem to head, in execution order. */
export function convBnLayers(net: NetworkSpec): ConvBn[] {
  const layers: ConvBn[] = [net.stem];
  for (const block of net.blocks) layers.push(...blockConvBns(block));
  layers.push(net.head);
  return layers;
}

/** A block's convolution / batch-norm pairs in execution order (expand, depthwise, project; whichever it has). */
export function blockConvBns(block: MBConvBlock): ConvBn[] {
  return [block.expand, block.depthwise, block.project].filter((p): p is ConvBn => p !== undefined);
}
