/**
 * The state dict a network expects, in the reference's key names and PyTorch's order
 * (module registration order; per batch norm: weight, bias, running_mean, running_var,
 * num_batches_tracked).
 */
import type { BatchNormLayer, ConvLayer, NetworkSpec } from './network.js';

export type ParameterRole = 'weight' | 'bias' | 'running_mean' | 'running_var' | 'num_batches_tracked';

export interface ParameterSpec {
  /** Reference key, e.g. `_blocks.0._depthwise_conv.weight`. */
  readonly key: string;
  /** Module the tensor belongs to, e.g. `_blocks.0._depthwise_conv`. */
  readonly module: string;
  readonly role: ParameterRole;
  readonly shape: readonly number[];
  readonly kind: 'conv' | 'bn' | 'linear';
  /** Learned by gradient descent (weights and biases), as opposed to buffers. */
  readonly trainable: boolean;
  readonly dtype: 'float32' | 'int64';
}

function convParams(conv: ConvLayer): ParameterSpec[] {
  // [out, in/groups, k, k]
  const weight: ParameterSpec = {
    key: `${conv.name}.weight`, module: conv.name, role: 'weight', kind: 'conv', trainable: true, dtype: 'float32',
    shape: [conv.outChannels, conv.inChannels / conv.groups, conv.kernel, conv.kernel],
  };
  if (!conv.bias) return [weight];
  return [weight, { key: `${conv.name}.bias`, module: conv.name, role: 'bias', kind: 'conv', trainable: true, dtype: 'float32', shape: [conv.outChannels] }];
}

function bnParams(bn: BatchNormLayer): ParameterSpec[] {
  const entry = (role: ParameterRole, trainable: boolean, shape: number[], dtype: 'float32' | 'int64' = 'float32'): ParameterSpec => ({
    key: `${bn.name}.${role}`, module: bn.name, role, kind: 'bn', trainable, dtype, shape,
  });
  return [
    entry('weight', true, [bn.channels]),
    entry('bias', true, [bn.channels]),
    entry('running_mean', false, [bn.channels]),
    entry('running_var', false, [bn.channels]),
    entry('num_batches_tracked', false, [], 'int64'),
  ];
}

/**
 * Every tensor of the network's state dict, in PyTorch order.
 *
 * @example
 * stateDictSpec(buildNetwork(resolveConfig('efficientnet-b0')))[0].key // '_conv_stem.weight'
 */
export function stateDictSpec(net: NetworkSpec): ParameterSpec[] {
  const specs: ParameterSpec[] = [...convParams(net.stem.conv), ...bnParams(net.stem.bn)];
  for (const block of net.blocks) {
    if (block.expand) specs.push(...convParams(block.expand.conv), ...bnParams(block.expand.bn));
    if (block.depthwise) specs.push(...convParams(block.depthwise.conv), ...bnParams(block.depthwise.bn));
    if (block.se) specs.push(...convParams(block.se.reduce), ...convParams(block.se.expand));
    if (block.project) specs.push(...convParams(block.project.conv), ...bnParams(block.project.bn));
  }
  specs.push(...convParams(net.head.conv), ...bnParams(net.head.bn));
  if (net.fc) {
    const { name, inFeatures, outFeatures } = net.fc;
    specs.push(
      { key: `${name}.weight`, module: name, role: 'weight', kind: 'linear', trainable: true, dtype: 'float32', shape: [outFeatures, inFeatures] },
      { key: `${name}.bias`, module: name, role: 'bias', kind: 'linear', trainable: true, dtype: 'float32', shape: [outFeatures] },
    );
  }
  return specs;
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Learnable parameters (weights and biases, not batch-norm buffers), as PyTorch's
 * `sum(p.numel() for p in model.parameters())` counts them.
 *
 * @example
 * countParameters(buildNetwork(resolveConfig('efficientnet-b0'))) // 5288548
 */
export function countParameters(net: NetworkSpec): number {
  return stateDictSpec(net).filter((p) => p.trainable).reduce((sum, p) => sum + shapeSize(p.shape), 0);
}
