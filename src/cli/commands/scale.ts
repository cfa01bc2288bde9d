/** `efficientnet scale`: compound scaling for any φ, or the scaling of a published variant. */
import { Command } from 'commander';
import { finiteNumber } from '../options.js';
import { PAPER_COEFFICIENTS, compoundScale, formatScalingReport, getVariant, scaledVariant } from '../../index.js';

interface ScaleOptions { phi?: number; alpha: number; beta: number; gamma: number }

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('show compound scaling: per-stage channels and repeats, parameters and MACs, published b0–b7 beside the pure rule')
    .argument('[model]', 'a published variant (efficientnet-b0 … efficientnet-l2)')
    .option('--phi <x>', 'compound coefficient φ for a custom variant', finiteNumber)
    .option('--alpha <x>', 'depth base α', finiteNumber, PAPER_COEFFICIENTS.alpha)
    .option('--beta <x>', 'width base β', finiteNumber, PAPER_COEFFICIENTS.beta)
    .option('--gamma <x>', 'resolution base γ', finiteNumber, PAPER_COEFFICIENTS.gamma)
    .action((model: string | undefined, opts: ScaleOptions, command: Command) => {
      if ((model === undefined) === (opts.phi === undefined)) {
        command.error('error: give either a model name or --phi <x>, not both and not neither.', { exitCode: 2 });
      }
      const coefficients = { alpha: opts.alpha, beta: opts.beta, gamma: opts.gamma };
      if (opts.phi !== undefined) {
        compoundScale(opts.phi, coefficients); // validates φ, α, β, γ together
        process.stdout.write(`${formatScalingReport(scaledVariant(opts.phi, coefficients), coefficients, opts.phi)}\n`);
      } else {
        process.stdout.write(`${formatScalingReport(getVariant(model!), coefficients)}\n`);
      }
    });
}
