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
import { type ProgressiveStage, augmentForStage, modelForStage, progressiveStages, stageOf } from './progressive.js';
import type { TrainerState } from '../train/trainer.js';
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
  const stages = options.progressive ? progressiveStages(options.epochs, options.progressive) : undefined;
  const finalSize: readonly [number, number] = stages ? [stages.at(-1)!.size, stages.at(-1)!.size] : model.config.imageSize;
  const augment = options.augment ?? defaultAugment(finalSize);
  const stepsPerEpoch = Math.ceil(train.samples.length / batchSize);
  const schedule = learningRateSchedule(options, stepsPerEpoch);
  const common = { optimizer: options.optimizer ?? { kind: 'adam' as const }, learningRate: schedule, labelSmoothing: options.labelSmoothing };
  const paths = options.out ? checkpointPaths(options.out) : undefined;
  const print = fingerprint(options, model.config.name, train.classes, train.samples.map((s) => s.path));

  // What validation, the saved models and the result see: the last stage's size, as the V2
  // paper evaluates, so every epoch's validation accuracy is measured alike.
  const evaluated = stages ? modelForStage(model, model.weights, stages.at(-1)!) : model;

  /**
   * The learner and training source of one stage (the whole run without progressive learning):
   * built at the stage's size from `model`'s weights, then given the trainer state carried over
   * (from the previous stage or a saved run), so a stage change and a resume take the same path.
   */
  const setup = async (stage: ProgressiveStage | undefined, carried: TrainerState | undefined): Promise<StageSetup> => {
    const stageModel = stage ? modelForStage(model, model.weights, stage) : model;
    const stageAugment = stage ? augmentForStage(augment, stage) : augment;
    const disposeModel = stage ? () => stageModel.dispose() : async () => {};
    const images = imageSource(train, stageModel.preprocess, channels, { batchSize, inFlight: options.inFlight, seed, augment: stageAugment });
    let built: StageSetup;
    if (freeze === 'head') {
      const fc = stageModel.network.fc!;
      const head = new HeadTrainer(floats(stageModel, `${fc.name}.weight`).slice(), floats(stageModel, `${fc.name}.bias`).slice(), common);
      let source = featureSource(images, stageModel);
      if (options.cacheFeatures ?? stageAugment === false) {
        if (stageAugment !== false) throw new ConfigError('cacheFeatures needs augment: false (augmented images give new features every epoch)');
        source = cachedSource(await buildFeatureCache(source, train, fc.inFeatures), batchSize);
      }
      built = { learner: headLearner(head, evaluated), source, dispose: disposeModel };
    } else {
      const trainer = await Trainer.create(stageModel.network, stageModel.weights, {
        ...common, freeze, batchNorm: options.batchNorm, dropout: options.dropout, dropConnect: options.dropConnect,
        clipGradNorm: options.clipGradNorm, seed, batchSize: Math.min(batchSize, train.samples.length), runtime: options.runtime ?? stageModel.runtimeOptions,
      });
      built = { learner: trainerLearner(trainer, evaluated, options.freshStatistics ?? false), source: images, dispose: async () => { await trainer.dispose(); await disposeModel(); } };
    }
    if (carried) {
      try {
        built.learner.loadState(carried);
      } catch (error) {
        await built.dispose();
        if (!(error instanceof EfficientNetError) || !paths) throw error;
        throw damagedState(paths.state, error.message);
      }
    }
    return built;
  };

  let stage: StageSetup | undefined;
  let current: ImageModel | undefined;
  try {
    // Before anything is built or written: a state to resume from must fit, and one image must load.
    const resumed = options.resume && paths && await platform().files.exists(paths.state)
      ? await loadResumableState(paths.state, print, { epochs: options.epochs, samples: train.samples.length })
      : undefined;
    const first = stages && stageOf(stages, resumed?.progress.epoch ?? 0);
    await requireUsableImage(imageSource(train, model.preprocess, channels, { batchSize: 1, inFlight: options.inFlight, seed, augment }), train.samples.length, skip);
    stage = await setup(first, resumed?.trainer);
    let stageAt = first;
    const plainImages = (set: LabelledDataset) => imageSource(set, evaluated.preprocess, channels, { batchSize, inFlight: options.inFlight, seed, augment: false });
    const validationSource = validation && (freeze === 'head'
      ? cachedSource(await buildFeatureCache(featureSource(plainImages(validation), evaluated), validation, evaluated.network.fc!.inFeatures), batchSize)
      : plainImages(validation));
    let progress: RunProgress = resumed?.progress ?? { epoch: 0, position: 0, seen: 0, lossSum: 0, correct: 0, history: [] };
    const saveState = async () => {
      if (paths) await saveRunState(paths.state, { fingerprint: print, progress, trainer: stage!.learner.state() });
    };

    let stopped = false;
    let step = stage.learner.steps();
    for (let epoch = progress.epoch; epoch < options.epochs && !stopped; epoch++) {
      const started = Date.now();
      const next = stages && stageOf(stages, epoch);
      if (next !== stageAt) {
        // A new size: the next stage's graphs, the weights, statistics and optimizer state carried over.
        const carried = stage.learner.state();
        await stage.dispose();
        stage = undefined;
        stage = await setup(next, carried);
        stageAt = next;
      }
      const { learner, source } = stage;
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
    current ??= await stage.learner.model();
    // The learners build models with withWeights, so `current` is of `net`'s class.
    return { model: current as M, history: progress.history, best: progress.best, skipped, stopped };
  } catch (error) {
    await current?.dispose();
    throw error;
  } finally {
    await stage?.dispose();
    if (evaluated !== model) await evaluated.dispose();
    await model.dispose();
  }
}

/** What one stage trains with; `dispose` frees its graphs and its model. */
interface StageSetup {
  readonly learner: Learner;
  readonly source: Source;
  readonly dispose: () => Promise<void>;
}

function floats(net: ImageModel, key: string): Float32Array {
  const t = net.weights.get(key);
  if (t?.dtype !== 'float32') throw new ConfigError(`model has no float tensor '${key}'`);
  return t.data;
}
