/**
 * The network the fp16 tests run (Node and browser): full-size b0 with the oracle's synthetic
 * weights at gain 3, whose activations stay of order 1 through every block as in a trained
 * network (fresh initial weights give logits near 1e-14, below float16's smallest value), at
 * 64 px batch 2 so that SwiftShader compiles and runs it within a test's time.
 */
import { EfficientNet } from '../../../src/index.js';
import { buildNetwork } from '../../../src/arch/network.js';
import { resolveConfig } from '../../../src/arch/config.js';
import type { RuntimeOptions } from '../../../src/runtime/session.js';
import { syntheticImages } from '../../../src/weights/synthetic.js';
import { syntheticStateDict } from '../../support/fixtures.js';

/** Logits of the fp16 graph within this much of fp32's, relative to the largest logit (issue 14). */
export const FP16_TOLERANCE = 1e-2;

export const FP16_SIZE = 64;
export const fp16Dims = [2, 3, FP16_SIZE, FP16_SIZE];
export const fp16Input = (): Float32Array => syntheticImages([2, 3, FP16_SIZE, FP16_SIZE]);

/** The test network, with extra runtime options. */
export function fp16TestNet(runtime: RuntimeOptions = {}): EfficientNet {
  const weights = syntheticStateDict(buildNetwork(resolveConfig('efficientnet-b0')), 'lukemelas', 3);
  return EfficientNet.fromStateDict(weights, { imageSize: FP16_SIZE, runtime: { intraOpThreads: 2, ...runtime } });
}
