/**
 * `fit`: transfer learning the way Keras's `fit` and Teachable Machine's `train` offer it. A new
 * head for the dataset's classes; the head alone on pooled features (cached when nothing is
 * augmented), the last N stages, or everything through the Trainer; validation each epoch;
 * best and last models, the resume state and the curves written atomically as it goes.
 */
import { ConfigError, EfficientNetError } from '../errors.js';
import { platform } from '../platform/index.js';
import type { ImageFolderDataset } from '../data/imageFolder.js';
import type { ImageModel } from '../model/imageModel.js';
import { Trainer } from '../train/trainer.js';
import { checkpointPaths, withHead } from './models.js';
import { epochOrder, type LabelledDataset } from './dataset.js';
import { prepareData, requireUsableImage } from './prepare.js';
import { drawCurves } from './curves.js';
import { HeadTrainer } from './head.js';
import { type FitOptions, checkFitOptions, defaultAugment, fingerprint, learningRateSchedule } from './options.js';
import { damagedState, guardWrite, saveRunState, type EpochRecord, type RunProgress } from './runState.js';
import { loadResumableState } from './resume.js';
import { buildFeatureCache, cachedSource, featureSource, imageSource, type Source } from './sources.js';
import { countCorrect, evaluate } from './validate.js';
import { type Learner, headLearner, trainerLearner } from './learner.js';
import { decodeChannels } from '../data/defaults.js';

export interface FitResult<M extends ImageModel = ImageModel> {
  /** The model after the last epoch trained (class names, architecture and preprocessing set), of the class `fit` was given. */
  readonly model: M;
  readonly history: readonly EpochRecord[];
  /** Best validation accuracy and its epoch (0-based). */
  readonly best?: { readonly epoch: number; readonly accuracy: number };
  /** Files left out, with the reason. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** True when `signal` stopped the run early (its state is saved when `out` is set). */
  readonly stopped: boolean;
}

/**
 * Fine-tunes `net` on a labelled dataset. `net` itself is not changed; the result holds a new model.
 *
 * @example
 * const base = await EfficientNet.fromPretrained('efficientnet-b0');
 * const { model, history } = await fit(base, await imageFolder('flowers'), { epochs: 5, freeze: 'head', validation: { split: 0.1 }, out: 'flowers.safetensors' });
 */
export async function fit<M extends ImageModel>(net: M, dataset: ImageFolderDataset | LabelledDataset, options: FitOptions): Promise<FitResult<M>> {
  checkFitOptions(options);
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 32;
  const freeze = options.freeze ?? 'none';
  const { train, validation, skipped, skip } = await prepareData(dataset, options.validation, seed, options.onSkip);
  const model = withHead(net, train.classes, seed, options.zeroHead ?? false);
  const channels = decodeChannels(model.config);
  const augment = options.augment ?? defaultAugment(model.config.imageSize);
  const stepsPerEpoch = Math.ceil(train.samples.length / batchSize);
  const schedule = learningRateSchedule(options, stepsPerEpoch);
  const common = { optimizer: options.optimizer ?? { kind: 'adam' as const }, learningRate: schedule, labelSmoothing: options.labelSmoothing };
  const images = imageSource(train, model.preprocess, channels, { batchSize, inFlight: options.inFlight, seed, augment });
  const paths = options.out ? checkpointPaths(options.out) : undefined;
  const print = fingerprint(options, model.config.name, train.classes, train.samples.map((s) => s.path));

  let learner: Learner;
  let source: Source;
  const disposables: (() => Promise<void>)[] = [() => model.dispose()];
  let current: ImageModel | undefined;
  try {
    // Before anything is built or written: a state to resume from must fit, and one image must load.
    const resumed = options.resume && paths && await platform().files.exists(paths.state)
      ? await loadResumableState(paths.state, print, { epochs: options.epochs, samples: train.samples.length })
      : undefined;
    await requireUsableImage(imageSource(train, model.preprocess, channels, { batchSize: 1, inFlight: options.inFlight, seed, augment }), train.samples.length, skip);
    if (freeze === 'head') {
      const fc = model.network.fc!;
      const head = new HeadTrainer(floats(model, `${fc.name}.weight`).slice(), floats(model, `${fc.name}.bias`).slice(), common);
      learner = headLearner(head, model);
      source = featureSource(images, model);
      if (options.cacheFeatures ?? augment === false) {
        if (augment !== false) throw new ConfigError('cacheFeatures needs augment: false (augmented images give new features every epoch)');
        source = cachedSource(await buildFeatureCache(source, train, fc.inFeatures), batchSize);
      }
    } else {
      const trainer = await Trainer.create(model.network, model.weights, {
        ...common, freeze, batchNorm: options.batchNorm, dropout: options.dropout, dropConnect: options.dropConnect,
        clipGradNorm: options.clipGradNorm, seed, runtime: options.runtime ?? model.runtimeOptions,
      });
      disposables.push(() => trainer.dispose());
      learner = trainerLearner(trainer, model, options.freshStatistics ?? false);
      source = images;
    }

    let progress: RunProgress = { epoch: 0, position: 0, seen: 0, lossSum: 0, correct: 0, history: [] };
    if (resumed) {
      try {
        learner.loadState(resumed.trainer);
      } catch (error) {
        if (!(error instanceof EfficientNetError)) throw error;
        throw damagedState(paths!.state, error.message);
      }
      progress = resumed.progress;
    }
    const saveState = async () => {
      if (paths) await saveRunState(paths.state, { fingerprint: print, progress, trainer: learner.state() });
    };
    const validationSource = validation && (freeze === 'head'
      ? cachedSource(await buildFeatureCache(featureSource(imageSource(validation, model.preprocess, channels, { batchSize, inFlight: options.inFlight, seed, augment: false }), model), validation, model.network.fc!.inFeatures), batchSize)
      : imageSource(validation, model.preprocess, channels, { batchSize, inFlight: options.inFlight, seed, augment: false }));

    let stopped = false;
    let step = learner.steps();
    for (let epoch = progress.epoch; epoch < options.epochs && !stopped; epoch++) {
      const started = Date.now();
      const order = epochOrder(train.samples.length, seed, epoch);
      for await (const batch of source(order, progress.position, epoch)) {
        batch.failed.forEach((f) => skip(f.path, f.error.message));
        let { seen, lossSum, correct } = progress;
        if (batch.labels.length > 0) {
          const out = await learner.step(batch.data, batch.labels);
          seen += batch.labels.length;
          lossSum += out.loss * batch.labels.length;
          correct += countCorrect(out.logits, batch.labels);
          step++;
          await options.onStep?.({
            epoch, epochs: options.epochs, position: progress.position + batch.consumed, total: order.length, step, loss: out.loss,
            meanLoss: lossSum / seen, accuracy: correct / seen, learningRate: out.learningRate, images: batch.labels.length,
          });
        }
        progress = { ...progress, epoch, position: progress.position + batch.consumed, seen, lossSum, correct };
        if (options.signal?.aborted) {
          stopped = true;
          break;
        }
        if (step % (options.checkpointEvery ?? 200) === 0) await saveState();
      }
      if (stopped) break;

      await current?.dispose();
      current = await learner.model();
      const scores = validationSource ? await evaluate(validationSource, validation!.samples.length, (data, n) => learner.logits(current!, data, n)) : undefined;
      const record: EpochRecord = {
        epoch, loss: progress.lossSum / Math.max(1, progress.seen), accuracy: progress.correct / Math.max(1, progress.seen),
        validationLoss: scores?.loss, validationAccuracy: scores?.accuracy, seconds: (Date.now() - started) / 1000,
      };
      const isBest = scores === undefined || !progress.best || scores.accuracy > progress.best.accuracy;
      const best = scores && isBest ? { epoch, accuracy: scores.accuracy } : progress.best;
      progress = { epoch: epoch + 1, position: 0, seen: 0, lossSum: 0, correct: 0, history: [...progress.history, record], best };
      if (paths) {
        const trained = current;
        if (isBest) await guardWrite(paths.best, 'model', () => trained.save(paths.best));
        await guardWrite(paths.last, 'model', () => trained.save(paths.last));
        await guardWrite(paths.curves, 'curves', () => drawCurves(paths.curves, progress.history));
      }
      await saveState();
      await options.onEpoch?.({ ...record, epochs: options.epochs, best: isBest });
    }
    if (stopped) await saveState();
    current ??= await learner.model();
    // The learners build models with withWeights, so `current` is of `net`'s class.
    return { model: current as M, history: progress.history, best: progress.best, skipped, stopped };
  } catch (error) {
    await current?.dispose();
    throw error;
  } finally {
    for (const dispose of disposables) await dispose();
  }
}

function floats(net: ImageModel, key: string): Float32Array {
  const t = net.weights.get(key);
  if (t?.dtype !== 'float32') throw new ConfigError(`model has no float tensor '${key}'`);
  return t.data;
}
