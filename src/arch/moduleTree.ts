/**
 * The module tree printed exactly as PyTorch 1.13 prints a model: the reference's
 * (lukemelas 0.7.1 `EfficientNet.from_name(...)`, names `_conv_stem`, `_blocks.0._depthwise_conv`)
 * or torchvision 0.14's (`features.1.0.block.0`). Golden files: test/fixtures/moduleTree/,
 * printed by scripts/make_module_tree_fixtures.py.
 */
import type { BatchNormLayer, ConvLayer, MBConvBlock, NetworkSpec } from './network.js';

/** Whose module tree to print. */
export type ModuleTreeStyle = 'lukemelas' | 'torchvision';

type Child = readonly [name: string, repr: string];

const indent = (text: string) => text.split('\n').join('\n  ');

/** `Name(extra)` or, with children, PyTorch's multi-line form (extra first, then `(child): repr`). */
function module(name: string, body: readonly Child[], extra = ''): string {
  if (body.length === 0) return `${name}(${extra})`;
  const lines = body.map(([child, repr]) => `  (${child}): ${indent(repr)}`);
  return `${name}(\n${extra ? `  ${extra}\n` : ''}${lines.join('\n')}\n)`;
}

/** Children numbered from 0, as `nn.Sequential` and `nn.ModuleList` print them. */
const numbered = (reprs: readonly string[]): Child[] => reprs.map((r, i) => [String(i), r]);

/**
 * A float as Python's `repr` writes it: shortest round-trip digits (as JavaScript's), a `.0`
 * on integral values, and exponent form below 1e-4 or from 1e16 (`1e-05`, not `0.00001`).
 *
 * @example
 * pythonFloat(1e-5) // '1e-05'
 */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** `nn.Conv2d.extra_repr`: padding, groups and bias only when they differ from the defaults. */
function convArgs(layer: ConvLayer, stride: string, padding?: number): string {
  const pad = padding ? `, padding=(${padding}, ${padding})` : '';
  const groups = layer.groups > 1 ? `, groups=${layer.groups}` : '';
  const bias = layer.bias ? '' : ', bias=False';
  return `${layer.inChannels}, ${layer.outChannels}, kernel_size=(${layer.kernel}, ${layer.kernel}), stride=${stride}${pad}${groups}${bias}`;
}

function batchNorm(bn: BatchNormLayer, momentum: number): string {
  return `BatchNorm2d(${bn.channels}, eps=${pythonFloat(bn.eps)}, momentum=${pythonFloat(momentum)}, affine=True, track_running_stats=True)`;
}

// ---- lukemelas 0.7.1 ----

/**
 * The reference's convolution. Block strings give strides as one-element lists, which
 * Conv2dStaticSamePadding widens to a list (`stride=[2, 2]`); everything else is a tuple.
 */
function referenceConv(layer: ConvLayer, same: boolean, strideAsList = false): string {
  const stride = strideAsList ? `[${layer.stride}, ${layer.stride}]` : `(${layer.stride}, ${layer.stride})`;
  if (!same) return `Conv2d(${convArgs(layer, stride, layer.pads[0])})`; // symmetric: not a reference module, but what computes it
  const [top, left, bottom, right] = layer.pads;
  // ZeroPad2d takes (left, right, top, bottom).
  const pad = top + left + bottom + right > 0 ? `ZeroPad2d((${left}, ${right}, ${top}, ${bottom}))` : 'Identity()';
  return module('Conv2dStaticSamePadding', [['static_padding', pad]], convArgs(layer, stride));
}

/** lukemelas builds batch norm with momentum `1 - 0.99` (TF's convention converted): 0.010000000000000009. */
const referenceBn = (bn: BatchNormLayer) => batchNorm(bn, 1 - (1 - bn.momentum));

function referenceBlock(b: MBConvBlock, same: boolean, firstOfStage: boolean): string {
  const local = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  const children: Child[] = [];
  if (b.expand) children.push([local(b.expand.conv.name), referenceConv(b.expand.conv, same)], [local(b.expand.bn.name), referenceBn(b.expand.bn)]);
  // Only the first block of a stage keeps the block string's stride list; repeats get stride=1.
  if (b.depthwise) children.push([local(b.depthwise.conv.name), referenceConv(b.depthwise.conv, same, firstOfStage)], [local(b.depthwise.bn.name), referenceBn(b.depthwise.bn)]);
  if (b.se) children.push([local(b.se.reduce.name), referenceConv(b.se.reduce, same)], [local(b.se.expand.name), referenceConv(b.se.expand, same)]);
  if (b.project) children.push([local(b.project.conv.name), referenceConv(b.project.conv, same)], [local(b.project.bn.name), referenceBn(b.project.bn)]);
  children.push(['_swish', 'MemoryEfficientSwish()']);
  return module('MBConvBlock', children);
}

function referenceTree(net: NetworkSpec): string {
  const same = net.config.padding === 'same';
  const blocks = net.blocks.map((b, i) => referenceBlock(b, same, i === 0 || net.blocks[i - 1].stage !== b.stage));
  const top: Child[] = [
    ['_conv_stem', referenceConv(net.stem.conv, same)],
    ['_bn0', referenceBn(net.stem.bn)],
    ['_blocks', module('ModuleList', numbered(blocks))],
    ['_conv_head', referenceConv(net.head.conv, same)],
    ['_bn1', referenceBn(net.head.bn)],
    ['_avg_pooling', 'AdaptiveAvgPool2d(output_size=1)'],
  ];
  if (net.fc) {
    top.push(['_dropout', `Dropout(p=${pythonFloat(net.config.dropoutRate)}, inplace=False)`]);
    top.push(['_fc', `Linear(in_features=${net.fc.inFeatures}, out_features=${net.fc.outFeatures}, bias=True)`]);
  }
  top.push(['_swish', 'MemoryEfficientSwish()']);
  return module('EfficientNet', top);
}

// ---- torchvision 0.14 ----

/** Conv2dNormActivation: convolution with padding (k − 1) / 2, batch norm, then SiLU unless it is a projection. */
function convNormActivation(layer: ConvLayer, bn: BatchNormLayer, activation = true): string {
  const conv = `Conv2d(${convArgs(layer, `(${layer.stride}, ${layer.stride})`, (layer.kernel - 1) >> 1)})`;
  const children = [conv, batchNorm(bn, bn.momentum), ...(activation ? ['SiLU(inplace=True)'] : [])];
  return module('Conv2dNormActivation', numbered(children));
}

/** torchvision's MBConv or FusedMBConv: `block` (a Sequential of the parts present) and `stochastic_depth`. */
function torchvisionBlock(b: MBConvBlock): string {
  const layers: string[] = [];
  if (b.expand) layers.push(convNormActivation(b.expand.conv, b.expand.bn));
  if (b.depthwise) layers.push(convNormActivation(b.depthwise.conv, b.depthwise.bn));
  if (b.se) {
    layers.push(module('SqueezeExcitation', [
      ['avgpool', 'AdaptiveAvgPool2d(output_size=1)'],
      ['fc1', `Conv2d(${convArgs(b.se.reduce, '(1, 1)')})`],
      ['fc2', `Conv2d(${convArgs(b.se.expand, '(1, 1)')})`],
      ['activation', 'SiLU(inplace=True)'],
      ['scale_activation', 'Sigmoid()'],
    ]));
  }
  if (b.project) layers.push(convNormActivation(b.project.conv, b.project.bn, false));
  return module(b.kind === 'fused' ? 'FusedMBConv' : 'MBConv', [['block', module('Sequential', numbered(layers))], ['stochastic_depth', `StochasticDepth(p=${pythonFloat(b.dropConnectRate)}, mode=row)`]]);
}

function torchvisionTree(net: NetworkSpec): string {
  const stages: string[][] = [];
  for (const b of net.blocks) (stages[b.stage] ??= []).push(torchvisionBlock(b));
  const features = [
    convNormActivation(net.stem.conv, net.stem.bn),
    ...stages.map((blocks) => module('Sequential', numbered(blocks))),
    convNormActivation(net.head.conv, net.head.bn),
  ];
  const top: Child[] = [['features', module('Sequential', numbered(features))], ['avgpool', 'AdaptiveAvgPool2d(output_size=1)']];
  if (net.fc) {
    top.push(['classifier', module('Sequential', numbered([
      `Dropout(p=${pythonFloat(net.config.dropoutRate)}, inplace=True)`,
      `Linear(in_features=${net.fc.inFeatures}, out_features=${net.fc.outFeatures}, bias=True)`,
    ]))]);
  }
  return module('EfficientNet', top);
}

/**
 * The module tree as PyTorch prints the reference's model, or torchvision's.
 *
 * @example
 * formatModuleTree(buildNetwork(resolveConfig('efficientnet-b0'))).split('\n')[1] // '  (_conv_stem): Conv2dStaticSamePadding('
 */
export function formatModuleTree(net: NetworkSpec, style: ModuleTreeStyle = 'lukemelas'): string {
  return style === 'torchvision' ? torchvisionTree(net) : referenceTree(net);
}
