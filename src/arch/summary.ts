/**
 * Per-layer accounting: output shape, learnable parameters and multiply-accumulates at the
 * configured image size (convolutions and the classifier, as the paper counts FLOPs).
 */
import { blockConvBns, type ConvBn, type ConvLayer, type MBConvBlock, type NetworkSpec } from './network.js';
import { countParameters } from './parameters.js';

export interface LayerRow {
  readonly name: string;
  readonly description: string;
  /** [C, H, W] or [features]. */
  readonly outputShape: readonly number[];
  readonly parameters: number;
  readonly macs: number;
}

export interface ModelSummary {
  readonly name: string;
  readonly imageSize: readonly [number, number];
  readonly rows: readonly LayerRow[];
  readonly parameters: number;
  readonly macs: number;
}

/** Multiply-accumulates of one convolution. */
export function convMacs(conv: ConvLayer): number {
  const [h, w] = conv.outputSize;
  return h * w * conv.outChannels * (conv.inChannels / conv.groups) * conv.kernel * conv.kernel;
}

function convParameters(conv: ConvLayer): number {
  return conv.outChannels * (conv.inChannels / conv.groups) * conv.kernel * conv.kernel + (conv.bias ? conv.outChannels : 0);
}

function convBnParameters({ conv, bn }: ConvBn): number {
  return convParameters(conv) + 2 * bn.channels;
}

function blockRow(block: MBConvBlock): LayerRow {
  const parts = blockConvBns(block);
  const se = block.se ? [block.se.reduce, block.se.expand] : [];
  // The k×k convolution: depthwise in MBConv, the expansion in Fused-MBConv.
  const spatial = (block.depthwise ?? block.expand!).conv;
  const expandRatio = block.project ? block.project.conv.inChannels / block.inChannels : 1;
  const type = block.kind === 'fused' ? 'FusedMBConv' : 'MBConv';
  return {
    name: block.name,
    description: `${type}${expandRatio} k${spatial.kernel} s${block.stride}${block.se ? ' SE' : ''}${block.residual ? ' +skip' : ''}`,
    outputShape: [block.outChannels, ...block.outputSize],
    parameters: parts.reduce((s, p) => s + convBnParameters(p), 0) + se.reduce((s, c) => s + convParameters(c), 0),
    macs: parts.reduce((s, p) => s + convMacs(p.conv), 0) + se.reduce((s, c) => s + convMacs(c), 0),
  };
}

/**
 * The per-layer table and totals.
 *
 * @example
 * summarize(buildNetwork(resolveConfig('efficientnet-b0'))).macs // 385_838_...
 */
export function summarize(net: NetworkSpec): ModelSummary {
  const convBnRow = (name: string, description: string, layer: ConvBn): LayerRow => ({
    name, description, outputShape: [layer.conv.outChannels, ...layer.conv.outputSize], parameters: convBnParameters(layer), macs: convMacs(layer.conv),
  });
  const rows: LayerRow[] = [
    convBnRow('_conv_stem + _bn0', `Conv k3 s2, ${net.config.padding} padding`, net.stem),
    ...net.blocks.map(blockRow),
    convBnRow('_conv_head + _bn1', 'Conv 1×1', net.head),
    { name: '_avg_pool', description: 'global average', outputShape: [net.featureChannels], parameters: 0, macs: 0 },
  ];
  if (net.fc) {
    rows.push({
      name: '_fc', description: `Linear (dropout ${net.config.dropoutRate})`, outputShape: [net.fc.outFeatures],
      parameters: net.fc.inFeatures * net.fc.outFeatures + net.fc.outFeatures, macs: net.fc.inFeatures * net.fc.outFeatures,
    });
  }
  return {
    name: net.config.name,
    imageSize: net.config.imageSize,
    rows,
    parameters: countParameters(net),
    macs: rows.reduce((s, r) => s + r.macs, 0),
  };
}

/** Formats a summary as an aligned text table with totals. */
export function formatSummary(summary: ModelSummary): string {
  const header = ['Layer', 'Type', 'Output shape', 'Params', 'MACs'];
  const body = summary.rows.map((r) => [r.name, r.description, `[${r.outputShape.join(', ')}]`, r.parameters.toLocaleString('en-US'), r.macs.toLocaleString('en-US')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${summary.name} at ${summary.imageSize[0]}×${summary.imageSize[1]}`,
    rule, line(header), rule, ...body.map(line), rule,
    `Total parameters: ${summary.parameters.toLocaleString('en-US')}`,
    `Total MACs: ${summary.macs.toLocaleString('en-US')} (${(summary.macs / 1e9).toFixed(3)} G)`,
  ].join('\n');
}
