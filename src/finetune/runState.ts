/**
 * The resume file: everything a killed run needs to continue bit for bit (trainer weights,
 * optimizer slots, EMA, generator state) as safetensors tensors, and where it stood (epoch,
 * batch, running metrics, history) as JSON in the metadata, written atomically in one file so
 * the two always agree.
 */
import { EfficientNetError, FileFormatError, FileSystemError, fileSystemReason } from '../errors.js';
import type { TrainerState } from '../train/trainer.js';
import { readSafetensors, writeSafetensors } from '../weights/formats/safetensors.js';
import { floatTensor, int64Tensor, type StateDict } from '../weights/tensor.js';

/** A write that failed (disk full, no permission); the file that was there before is intact. */
export class CheckpointWriteError extends EfficientNetError {
  override name = 'CheckpointWriteError';
}

/** One finished epoch's figures. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly validationLoss?: number;
  readonly validationAccuracy?: number;
  readonly seconds: number;
}

/** Where a run stands. */
export interface RunProgress {
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Items of this epoch's order already used (batches end on these boundaries). */
  readonly position: number;
  /** Running sums over this epoch's trained batches. */
  readonly seen: number;
  readonly lossSum: number;
  readonly correct: number;
  readonly history: readonly EpochRecord[];
  /** Best validation accuracy so far and its epoch (0-based). */
  readonly best?: { readonly epoch: number; readonly accuracy: number };
}

export interface RunState {
  /** The options and data the run was started with; a resume must match. */
  readonly fingerprint: string;
  readonly progress: RunProgress;
  readonly trainer: TrainerState;
}

const KEY = 'efficientnet-ts-run';

/**
 * Writes the run state atomically; a failed write throws {@link CheckpointWriteError} and leaves
 * the previous state file as it was.
 *
 * @example
 * await saveRunState('model.state.safetensors', { fingerprint, progress, trainer: trainer.state() });
 */
export async function saveRunState(path: string, state: RunState): Promise<void> {
  const { trainer } = state;
  const tensors: StateDict = new Map();
  for (const [key, values] of trainer.weights) {
    tensors.set(`w:${key}`, values instanceof BigInt64Array ? int64Tensor([values.length], values) : floatTensor([values.length], values));
  }
  for (const [slot, byKey] of Object.entries(trainer.optimizer.slots)) {
    for (const [key, values] of Object.entries(byKey)) tensors.set(`opt:${slot}:${key}`, floatTensor([values.length], values));
  }
  for (const [key, values] of trainer.ema ?? []) tensors.set(`ema:${key}`, floatTensor([values.length], values));
  const meta = { fingerprint: state.fingerprint, progress: state.progress, step: trainer.step, random: trainer.random, optimizer: { kind: trainer.optimizer.kind, steps: trainer.optimizer.steps } };
  await guardWrite(path, 'training state', () => writeSafetensors(path, tensors, { [KEY]: JSON.stringify(meta) }));
}

/**
 * Reads a state file written by {@link saveRunState}.
 *
 * @example
 * const state = await loadRunState('model.state.safetensors');
 */
export async function loadRunState(path: string): Promise<RunState> {
  const { tensors, metadata } = await readSafetensors(path);
  const text = metadata[KEY];
  if (text === undefined) throw new FileFormatError(`${path} is not a training state file (no '${KEY}' metadata)`);
  const meta = JSON.parse(text) as { fingerprint: string; progress: RunProgress; step: number; random: number[]; optimizer: { kind: TrainerState['optimizer']['kind']; steps: number } };
  const weights = new Map<string, Float32Array | BigInt64Array>();
  const slots: Record<string, Record<string, Float32Array>> = {};
  const ema = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    const [kind, ...rest] = name.split(':');
    if (kind === 'w') weights.set(rest.join(':'), t.data);
    else if (kind === 'opt' && t.dtype === 'float32') (slots[rest[0]] ??= {})[rest.slice(1).join(':')] = t.data;
    else if (kind === 'ema' && t.dtype === 'float32') ema.set(rest.join(':'), t.data);
  }
  return {
    fingerprint: meta.fingerprint,
    progress: meta.progress,
    trainer: { step: meta.step, weights, optimizer: { ...meta.optimizer, slots }, ema: ema.size > 0 ? ema : undefined, random: meta.random },
  };
}

/**
 * Runs a write and turns file-system failures into one clear line that says nothing was lost.
 *
 * @example
 * await guardWrite('model.safetensors', 'model', () => net.save('model.safetensors'));
 */
export async function guardWrite(path: string, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    const reason = error instanceof FileSystemError ? error.reason : fileSystemReason(error as NodeJS.ErrnoException);
    throw new CheckpointWriteError(`Cannot write ${what} '${path}': ${reason}; the previous file, if any, is intact`);
  }
}
