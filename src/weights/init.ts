/**
 * Fresh weights for training from scratch or for a new classifier, following torchvision's
 * EfficientNet initialisation: convolutions Kaiming-normal (fan-out), batch norm γ=1, β=0,
 * the classifier uniform in ±1/√out with zero bias.
 */
import type { NetworkSpec } from '../arch/network.js';
import { type ParameterSpec, shapeSize, stateDictSpec } from '../arch/parameters.js';
import { Random } from '../util/random.js';
import { type StateDict, type Tensor, floatTensor, int64Tensor } from './tensor.js';

/**
 * One freshly initialised tensor.
 *
 * @example
 * initialTensor(spec, new Random(0))
 */
export function initialTensor(spec: ParameterSpec, random: Random): Tensor {
  const count = shapeSize(spec.shape);
  if (spec.dtype === 'int64') return int64Tensor(spec.shape, new BigInt64Array(count));
  const data = new Float32Array(count);
  if (spec.kind === 'conv' && spec.role === 'weight') {
    // PyTorch's fan-out is out_channels × k × k, also for depthwise convolutions.
    const [out, , kh, kw] = spec.shape;
    const std = Math.sqrt(2 / (out * kh * kw));
    for (let i = 0; i < count; i++) data[i] = random.normal() * std;
  } else if (spec.kind === 'linear' && spec.role === 'weight') {
    const range = 1 / Math.sqrt(spec.shape[0]);
    for (let i = 0; i < count; i++) data[i] = (random.uniform() * 2 - 1) * range;
  } else if (spec.role === 'weight' || spec.role === 'running_var') {
    data.fill(1);
  }
  return floatTensor(spec.shape, data);
}

/**
 * A complete fresh state dict (reference key names).
 *
 * @example
 * const weights = initialWeights(buildNetwork(resolveConfig('efficientnet-b0')), 0);
 */
export function initialWeights(net: NetworkSpec, seed = 0): StateDict {
  const random = new Random(seed);
  return new Map(stateDictSpec(net).map((spec) => [spec.key, initialTensor(spec, random)]));
}
