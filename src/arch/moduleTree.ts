/**
 * The module tree printed the way PyTorch 1.13 prints the reference's `EfficientNet` module,
 * with its names (`_conv_stem`, `_blocks.0._depthwise_conv`, `_fc`).
 */
import type { BatchNormLayer, ConvLayer, NetworkSpec } from './network.js';

const indent = (text: string) => text.split('\n').join('\n  ');

function module(name: string, body: readonly [string, string][], extra = ''): string {
  if (body.length === 0) return `${name}(${extra})`;
  const lines = body.map(([child, repr]) => `  (${child}): ${indent(repr)}`);
  return `${name}(\n${extra ? `  ${extra}\n` : ''}${lines.join('\n')}\n)`;
}

function conv(layer: ConvLayer, same: boolean): string {
  const k = `kernel_size=(${layer.kernel}, ${layer.kernel})`;
  const stride = `stride=(${layer.stride}, ${layer.stride})`;
  const groups = layer.groups > 1 ? `, groups=${layer.groups}` : '';
  const bias = layer.bias ? '' : ', bias=False';
  const args = `${layer.inChannels}, ${layer.outChannels}, ${k}, ${stride}`;
  if (!same) {
    const [top, left] = layer.pads;
    const padding = top > 0 || left > 0 ? `, padding=(${top}, ${left})` : '';
    return `Conv2d(${args}${padding}${groups}${bias})`;
  }
  const [top, left, bottom, right] = layer.pads;
  const padded = top + left + bottom + right > 0;
  // ZeroPad2d takes (left, right, top, bottom).
  const pad = padded ? `ZeroPad2d((${left}, ${right}, ${top}, ${bottom}))` : 'Identity()';
  return module('Conv2dStaticSamePadding', [['static_padding', pad]], `${args}${groups}${bias}`);
}

function batchNorm(bn: BatchNormLayer): string {
  return `BatchNorm2d(${bn.channels}, eps=${bn.eps}, momentum=${bn.momentum}, affine=True, track_running_stats=True)`;
}

/**
 * @example
 * formatModuleTree(buildNetwork(resolveConfig('efficientnet-b0'))).split('\n')[1] // '  (_conv_stem): Conv2dStaticSamePadding('
 */
export function formatModuleTree(net: NetworkSpec): string {
  const same = net.config.padding === 'same';
  const local = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  const blocks = net.blocks.map((b): [string, string] => {
    const children: [string, string][] = [];
    if (b.expand) children.push([local(b.expand.conv.name), conv(b.expand.conv, same)], [local(b.expand.bn.name), batchNorm(b.expand.bn)]);
    children.push([local(b.depthwise.conv.name), conv(b.depthwise.conv, same)], [local(b.depthwise.bn.name), batchNorm(b.depthwise.bn)]);
    if (b.se) children.push([local(b.se.reduce.name), conv(b.se.reduce, same)], [local(b.se.expand.name), conv(b.se.expand, same)]);
    children.push([local(b.project.conv.name), conv(b.project.conv, same)], [local(b.project.bn.name), batchNorm(b.project.bn)], ['_swish', 'MemoryEfficientSwish()']);
    return [String(b.index), module('MBConvBlock', children)];
  });
  const top: [string, string][] = [
    ['_conv_stem', conv(net.stem.conv, same)],
    ['_bn0', batchNorm(net.stem.bn)],
    ['_blocks', module('ModuleList', blocks)],
    ['_conv_head', conv(net.head.conv, same)],
    ['_bn1', batchNorm(net.head.bn)],
    ['_avg_pool', 'AdaptiveAvgPool2d(output_size=1)'],
  ];
  if (net.fc) {
    top.push(['_dropout', `Dropout(p=${net.config.dropoutRate}, inplace=False)`]);
    top.push(['_fc', `Linear(in_features=${net.fc.inFeatures}, out_features=${net.fc.outFeatures}, bias=True)`]);
  }
  top.push(['_swish', 'MemoryEfficientSwish()']);
  return module('EfficientNet', top);
}
