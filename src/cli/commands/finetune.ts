/** `efficientnet finetune <train-dir>`: transfer learning on an image folder, with resume. */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type ModelCliOptions, addModelOptions, loadModel } from '../modelOptions.js';
import { finiteNumber, positiveInt } from '../options.js';
import { trainingReporter } from '../trainingProgress.js';
import { ConfigError, EfficientNet, EfficientNetError, FROM_SCRATCH_MOMENTUM, SCHEDULES, checkpointPaths, defaultAugment, describeDefaults, describeStages, imageFolder, progressiveStages, parseFreeze, type FitOptions, type FreezeSpec, type OptimizerKind, type ScheduleName } from '../../index.js';

interface FinetuneOptions extends Omit<ModelCliOptions, 'weights'> {
  weights?: string;
  valDir?: string;
  valSplit?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerKind;
  schedule: ScheduleName;
  warmupEpochs: number;
  freeze?: FreezeSpec;
  bn: 'train' | 'frozen';
  bnMomentum?: number;
  inChannels?: number;
  labelSmoothing: number;
  seed: number;
  augment: boolean;
  randAugment?: true | { ops: number; magnitude: number };
  progressive?: { start: number; end: number };
  out: string;
  resume?: boolean;
  checkpointEvery?: number;
}

function fraction(value: string): number {
  const n = finiteNumber(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`'${value}' is not a fraction between 0 and 1.`);
  return n;
}

function freezeOption(value: string): FreezeSpec {
  try {
    return parseFreeze(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function registerFinetune(program: Command): void {
  addModelOptions(program
    .command('finetune')
    .description('train a classifier on an image folder (root/<class>/<image>): new head, then head only, last stages or everything')
    .argument('<train-dir>', 'training images, one folder per class'), false)
    .addOption(new Option('--val-dir <dir>', 'validation images with the same class folders').conflicts('valSplit'))
    .option('--val-split <fraction>', 'hold out this fraction of each class for validation (seeded)', fraction)
    .option('--epochs <n>', 'passes over the training set', positiveInt, 10)
    .option('--batch-size <n>', 'images per step', positiveInt, 32)
    .option('--lr <rate>', 'peak learning rate', finiteNumber, 1e-3)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'adamw', 'sgd', 'rmsprop']).default('adam'))
    .addOption(new Option('--schedule <name>', 'learning-rate schedule').choices(SCHEDULES).default('cosine'))
    .option('--warmup-epochs <n>', 'linear warm-up, in epochs', finiteNumber, 0)
    .option('--freeze <what>', 'head | stages:N | none (default: head with --weights, none from scratch)', freezeOption)
    .addOption(new Option('--bn <mode>', 'batch norm in trained parts: batch statistics or frozen').choices(['train', 'frozen']).default('train'))
    .option('--bn-momentum <m>', `running-statistics momentum (PyTorch convention; default from the weights, ${FROM_SCRATCH_MOMENTUM} from scratch)`, finiteNumber)
    .option('--in-channels <n>', 'image channels: 1 (grey) or 3', positiveInt)
    .option('--label-smoothing <e>', 'label smoothing', finiteNumber, 0)
    .option('--seed <n>', 'seed for the head, order, augmentation, split and masks', (v) => Number(positiveIntOrZero(v)), 0)
    .option('--no-augment', 'train on the evaluation transform (head only: features are then computed once); the default below 64 px')
    .option('--augment', 'random resized crop and flip, also below 64 px')
    .option('--rand-augment [ops,magnitude]', 'add RandAugment after crop and flip (default 2,9)', randAugmentOption)
    .option('--progressive <start,end>', 'progressive learning (EfficientNetV2): image sizes growing from start to end over up to 4 stages; the model ends at end', progressiveOption)
    .requiredOption('--out <file.safetensors>', 'best model; <out>.last, <out>.state and <out>.curves.svg go beside it')
    .option('--resume', 'continue the run whose state is in <out>.state.safetensors')
    .option('--checkpoint-every <steps>', 'also save the resume state every N steps', positiveInt, 200)
    .action(async (trainDir: string, opts: FinetuneOptions, command: Command) => {
      if (!opts.weights && !opts.model) throw new ConfigError('finetune needs --model (training from scratch) or --weights (a checkpoint to start from)');
      if (!/\.safetensors$/i.test(opts.out)) throw new ConfigError(`--out '${opts.out}' should end in .safetensors (the format that carries class names and preprocessing)`);
      const train = await imageFolder(trainDir);
      const validation = opts.valDir ? await imageFolder(opts.valDir, { minClasses: 1 }) : opts.valSplit ? { split: opts.valSplit } : undefined;
      const runtime = { intraOpThreads: opts.threads, executionProviders: opts.provider };
      const net = opts.weights
        ? await loadModel({ ...opts, weights: opts.weights }, { inChannels: opts.inChannels })
        : EfficientNet.fromName(opts.model!, {
          numClasses: train.classes.length, inChannels: opts.inChannels, imageSize: opts.imageSize, padding: opts.padding,
          batchNormMomentum: opts.bnMomentum ?? FROM_SCRATCH_MOMENTUM, seed: opts.seed, runtime, labels: train.classes,
        });
      // Augmentation: the user's choice, or the default for the image size.
      const augmentChosen = command.getOptionValueSource('augment') === 'cli' || opts.randAugment !== undefined;
      const stages = opts.progressive && progressiveStages(opts.epochs, opts.progressive);
      const augment: FitOptions['augment'] = !augmentChosen
        ? defaultAugment(stages ? [opts.progressive!.end, opts.progressive!.end] : net.config.imageSize)
        : opts.augment !== false ? { randAugment: opts.randAugment === true ? {} : opts.randAugment || undefined } : false;
      const sizes = stages ? `with progressive sizes ${describeStages(stages)}` : `at ${net.config.imageSize.join('×')}`;
      process.stdout.write(`${opts.weights ? 'fine-tuning' : 'from scratch'} ${sizes}: ${describeDefaults({ momentum: net.config.batchNormMomentum, augment, schedule: opts.schedule })}\n`);
      const statePath = checkpointPaths(opts.out).state;
      if (opts.resume && !existsSync(statePath)) process.stderr.write(`efficientnet: no ${statePath} to resume from; starting afresh\n`);
      if (!opts.resume && existsSync(statePath)) process.stderr.write(`efficientnet: starting afresh; ${statePath} will be replaced (add --resume to continue that run)\n`);
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const reporter = trainingReporter(opts.epochs);
      const options: FitOptions = {
        epochs: opts.epochs, batchSize: opts.batchSize, learningRate: opts.lr, optimizer: { kind: opts.optimizer } as FitOptions['optimizer'],
        schedule: opts.schedule, warmupEpochs: opts.warmupEpochs, freeze: opts.freeze ?? (opts.weights ? 'head' : 'none'), batchNorm: opts.bn,
        labelSmoothing: opts.labelSmoothing, seed: opts.seed, validation, progressive: opts.progressive,
        // From scratch: the classifier starts at zero and the running statistics at the first batch's.
        zeroHead: !opts.weights, freshStatistics: !opts.weights, augment,
        out: opts.out, resume: opts.resume, checkpointEvery: opts.checkpointEvery, signal: controller.signal, runtime,
        onStep: reporter.step, onEpoch: reporter.epoch,
        onSkip: (path, reason) => process.stderr.write(`efficientnet: skipped ${path}: ${reason}\n`),
      };
      try {
        const result = await net.fit(train, options);
        await result.model.dispose();
        const paths = checkpointPaths(opts.out);
        if (result.stopped) {
          throw new EfficientNetError(`stopped; the state is saved in ${paths.state}: continue with the same command and --resume`);
        }
        const best = result.best ? ` (best validation accuracy ${(result.best.accuracy * 100).toFixed(2)}% at epoch ${result.best.epoch + 1})` : '';
        // drawCurves writes the PNG beside the SVG (src/finetune/curves.ts).
        const png = paths.curves.replace(/\.svg$/i, '.png');
        process.stdout.write(`saved ${paths.best}${best}, ${paths.last}, ${paths.state}, ${paths.curves}, ${png}\n`);
        if (result.skipped.length > 0) process.stderr.write(`efficientnet: ${result.skipped.length} file(s) skipped (listed above)\n`);
      } finally {
        reporter.stop();
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        await net.dispose();
      }
    });
}

function randAugmentOption(value: string): { ops: number; magnitude: number } {
  const match = /^(\d+),(\d+)$/.exec(value.trim());
  if (!match || Number(match[2]) > 30) throw new InvalidArgumentError(`'${value}' is not ops,magnitude (e.g. 2,9; magnitude 0 to 30).`);
  return { ops: Number(match[1]), magnitude: Number(match[2]) };
}

function progressiveOption(value: string): { start: number; end: number } {
  const match = /^(\d+),(\d+)$/.exec(value.trim());
  if (!match || Number(match[1]) < 8 || Number(match[2]) < 8) throw new InvalidArgumentError(`'${value}' is not start,end image sizes (e.g. 128,300; each at least 8).`);
  return { start: Number(match[1]), end: Number(match[2]) };
}

function positiveIntOrZero(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not a non-negative integer.`);
  return Number(value);
}
