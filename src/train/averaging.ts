/** Exponential moving average of weights, and gradient clipping by global norm. */

/**
 * ema ← d·ema + (1 − d)·w for every tensor, in place (timm's ModelEmaV2 update).
 *
 * @example
 * updateEma(ema, weights, 0.9999);
 */
export function updateEma(ema: ReadonlyMap<string, Float32Array>, weights: ReadonlyMap<string, Float32Array>, decay: number): void {
  for (const [key, e] of ema) {
    const w = weights.get(key);
    if (!w) continue;
    for (let i = 0; i < e.length; i++) e[i] = Math.fround(decay * e[i] + (1 - decay) * w[i]);
  }
}

/**
 * Scales every gradient by maxNorm / (‖g‖ + 1e-6) when the global L2 norm exceeds `maxNorm`
 * (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
 *
 * @example
 * const norm = clipGradNorm(grads, 1.0);
 */
export function clipGradNorm(grads: ReadonlyMap<string, Float32Array>, maxNorm: number): number {
  let sum = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  const norm = Math.sqrt(sum);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] = Math.fround(g[i] * coefficient);
  }
  return norm;
}
