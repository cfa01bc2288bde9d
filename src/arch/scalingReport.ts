/**
 * What compound scaling does to the network: per-stage channels and repeats, totals, and the
 * published variants beside the pure α^φ, β^φ, γ^φ rule.
 */
import { resolveConfig, scaledVariant } from './config.js';
import { buildNetwork, type NetworkSpec } from './network.js';
import { countParameters } from './parameters.js';
import { type CompoundCoefficients, compoundScale, PAPER_COEFFICIENTS } from './scaling.js';
import { summarize } from './summary.js';
import { VARIANTS, type VariantSpec } from './variants.js';

export interface StageRow {
  readonly stage: number;
  readonly kernel: number;
  readonly stride: number;
  readonly expandRatio: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly repeats: number;
  readonly outputSize: readonly [number, number];
}

/**
 * The scaled stage table of a network.
 *
 * @example
 * stageRows(buildNetwork(resolveConfig('efficientnet-b3')))[1].repeats // 3
 */
export function stageRows(net: NetworkSpec): StageRow[] {
  return net.config.stages.map((spec, stage) => {
    const blocks = net.blocks.filter((b) => b.stage === stage);
    return {
      stage, kernel: spec.kernel, stride: spec.stride, expandRatio: spec.expandRatio,
      inChannels: blocks[0].inChannels, outChannels: blocks[0].outChannels, repeats: blocks.length,
      outputSize: blocks[blocks.length - 1].outputSize,
    };
  });
}

export interface VariantComparison {
  readonly name: string;
  readonly phi: number;
  readonly published: { width: number; depth: number; resolution: number };
  readonly pure: { width: number; depth: number; resolution: number };
  readonly parameters: number;
  readonly macs: number;
}

/** Published b0–b7 (φ = 0…7) beside the pure compound-scaling values. */
export function compareWithPureScaling(coefficients: CompoundCoefficients = PAPER_COEFFICIENTS): VariantComparison[] {
  return VARIANTS.slice(0, 8).map((variant, phi) => {
    const pure = compoundScale(phi, coefficients);
    const net = buildNetwork(resolveConfig(variant));
    return {
      name: variant.name, phi,
      published: { width: variant.width, depth: variant.depth, resolution: variant.resolution },
      pure: { width: pure.width, depth: pure.depth, resolution: pure.resolution },
      parameters: countParameters(net),
      macs: summarize(net).macs,
    };
  });
}

const fixed = (x: number, digits = 3) => x.toFixed(digits);
const millions = (n: number) => `${(n / 1e6).toFixed(2)} M`;
const giga = (n: number) => `${(n / 1e9).toFixed(3)} G`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * A text report for one variant (published or compound-scaled).
 *
 * @example
 * console.log(formatScalingReport(scaledVariant(1.5)));
 */
export function formatScalingReport(variant: VariantSpec, coefficients: CompoundCoefficients = PAPER_COEFFICIENTS, phi?: number): string {
  const net = buildNetwork(resolveConfig(variant));
  const summary = summarize(net);
  const lines: string[] = [];
  const { alpha, beta, gamma } = coefficients;
  if (phi !== undefined) {
    const s = compoundScale(phi, coefficients);
    lines.push(`Compound scaling φ=${phi} with α=${alpha}, β=${beta}, γ=${gamma} (α·β²·γ² = ${fixed(alpha * beta * beta * gamma * gamma, 4)})`);
    lines.push(`depth ×${fixed(s.depth)}, width ×${fixed(s.width)}, resolution ×${fixed(s.resolutionMultiplier)} → ${s.resolution} px, FLOPs ×${fixed(s.flopsMultiplier, 2)}`);
  } else {
    lines.push(`${variant.name}: width ×${variant.width}, depth ×${variant.depth}, resolution ${variant.resolution} px, dropout ${variant.dropout}`);
  }
  lines.push('');
  lines.push(table(
    ['stage', 'kernel', 'stride', 'expand', 'in', 'out', 'repeats', 'output'],
    stageRows(net).map((r) => [String(r.stage + 1), `${r.kernel}×${r.kernel}`, String(r.stride), String(r.expandRatio), String(r.inChannels), String(r.outChannels), String(r.repeats), `${r.outputSize[0]}×${r.outputSize[1]}`]),
  ));
  lines.push('');
  lines.push(`stem ${net.stem.conv.outChannels} channels, head ${net.featureChannels} channels, ${net.blocks.length} blocks`);
  lines.push(`parameters ${summary.parameters.toLocaleString('en-US')} (${millions(summary.parameters)}), MACs at ${net.config.imageSize[0]}×${net.config.imageSize[1]}: ${giga(summary.macs)}`);
  lines.push('');
  lines.push('Published variants beside the pure rule (φ = 0…7):');
  lines.push(table(
    ['model', 'φ', 'width pub/pure', 'depth pub/pure', 'resolution pub/pure', 'params', 'MACs'],
    compareWithPureScaling(coefficients).map((c) => [
      c.name, String(c.phi),
      `${fixed(c.published.width, 2)} / ${fixed(c.pure.width, 3)}`,
      `${fixed(c.published.depth, 2)} / ${fixed(c.pure.depth, 3)}`,
      `${c.published.resolution} / ${c.pure.resolution}`,
      millions(c.parameters), giga(c.macs),
    ]),
  ));
  return lines.join('\n');
}

export { scaledVariant };
