/** `--int8 --calibration DIR [--calibration-count N] [--calibration-method M]`: the commands that run a model can run its int8 form. */
import { Command, Option } from 'commander';
import { positiveInt } from './options.js';
import { progressBar } from './progress.js';
import { CALIBRATION_METHODS, ConfigError, type EfficientNet, listImages } from '../index.js';

export interface Int8CliOptions {
  int8?: boolean;
  calibration?: string;
  calibrationCount?: number;
  calibrationMethod?: (typeof CALIBRATION_METHODS)[number];
}

/** Adds the int8 options to a command. */
export function addInt8Options(command: Command): Command {
  return command
    .option('--int8', 'run the int8 model (activation ranges calibrated on --calibration images; a model saved as int8 needs none)')
    .option('--calibration <dir>', 'images to calibrate int8 activation ranges on: the kind of images the model will see')
    .option('--calibration-count <n>', 'use this many calibration images, spread over the folder (default 100)', positiveInt)
    .addOption(new Option('--calibration-method <method>', 'how ranges are set from the statistics (default percentile)').choices(CALIBRATION_METHODS));
}

/**
 * The model the options ask for: as loaded, or calibrated to int8 with a progress bar. A model
 * loaded from an int8 file stays int8 (with --calibration it is calibrated again).
 *
 * @example
 * const net = await int8IfAsked(await loadModel(opts), opts);
 */
export async function int8IfAsked(net: EfficientNet, opts: Int8CliOptions): Promise<EfficientNet> {
  if (!opts.int8) {
    if (opts.calibration) throw new ConfigError('--calibration is given without --int8; add --int8 to run the int8 model');
    return net;
  }
  if (!opts.calibration) {
    if (net.quantization) return net;
    throw new ConfigError('--int8 needs --calibration <dir>: a folder of images like the ones the model will see (or weights saved as int8)');
  }
  const { files, skipped } = await listImages([opts.calibration]);
  for (const { path, reason } of skipped) process.stderr.write(`efficientnet: calibration: skipped ${path}: ${reason}\n`);
  if (files.length === 0) throw new ConfigError(`Calibration folder '${opts.calibration}' holds no images; int8 ranges need some of the images the model will see`);
  const count = Math.min(opts.calibrationCount ?? 100, files.length);
  const bar = progressBar(count, 'calibrate', '{bar} {value}/{total} images | {rate} img/s | ETA {eta_formatted}');
  try {
    return await net.quantize({ calibration: files, count, method: opts.calibrationMethod, onBatch: ({ images }) => bar.update(images) });
  } finally {
    bar.stop();
  }
}
