/**
 * Batch norm folded into the convolution before it, computed once per model: every graph built
 * from the same `FoldedWeights` (the main inference graph, a lazily built endpoints graph)
 * shares these buffers instead of folding its own copy.
 */
import type { ConvBn } from '../arch/network.js';
import { WeightLoadError } from '../errors.js';
import type { StateDict } from '../weights/tensor.js';

export interface FoldedConv {
  /** [C_out, C_in / groups, k, k]: w·γ/√(σ²+ε). */
  readonly weight: Float32Array;
  /** [C_out]: β − μ·γ/√(σ²+ε). */
  readonly bias: Float32Array;
}

/**
 * A model's weights (reference key names) with each convolution's batch norm folded in on first use.
 *
 * @example
 * const folded = new FoldedWeights(net.weights);
 * const { weight, bias } = folded.convBn(net.network.stem);
 */
export class FoldedWeights {
  private readonly folded = new Map<string, FoldedConv>();

  constructor(readonly weights: StateDict) {}

  /** A float tensor by its reference key name. */
  tensor(key: string): Float32Array {
    const tensor = this.weights.get(key);
    if (!tensor || tensor.dtype !== 'float32') throw new WeightLoadError(`Weights have no float tensor '${key}'`);
    return tensor.data;
  }

  /** The convolution's weight and bias with its batch norm folded in, computed once. */
  convBn({ conv, bn }: ConvBn): FoldedConv {
    const cached = this.folded.get(conv.name);
    if (cached) return cached;
    const weight = this.tensor(`${conv.name}.weight`);
    const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((r) => this.tensor(`${bn.name}.${r}`));
    const perChannel = weight.length / conv.outChannels;
    const folded = { weight: new Float32Array(weight.length), bias: new Float32Array(conv.outChannels) };
    for (let c = 0; c < conv.outChannels; c++) {
      const scale = gamma[c] / Math.sqrt(variance[c] + bn.eps);
      folded.bias[c] = beta[c] - mean[c] * scale;
      for (let i = c * perChannel; i < (c + 1) * perChannel; i++) folded.weight[i] = weight[i] * scale;
    }
    this.folded.set(conv.name, folded);
    return folded;
  }
}
