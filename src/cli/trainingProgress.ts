/**
 * What a training run shows: on a terminal, a bar per epoch with loss, accuracy, images/s and
 * ETA (stderr); when piped, a plain line every tenth of an epoch instead; and one summary line
 * per epoch on stdout either way.
 */
import { type Progress, progressBar } from './progress.js';
import { type EpochInfo, type StepInfo } from '../index.js';

export interface TrainingReporter {
  readonly step: (info: StepInfo) => void;
  readonly epoch: (info: EpochInfo) => void;
  stop(): void;
}

/**
 * @example
 * const reporter = trainingReporter(10);
 * await fit(net, data, { epochs: 10, onStep: reporter.step, onEpoch: reporter.epoch });
 */
export function trainingReporter(epochs: number, stderr: NodeJS.WriteStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout): TrainingReporter {
  let bar: Progress | undefined;
  let barEpoch = -1;
  let started = Date.now();
  let startPosition = 0;
  let lastLogged = -1;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    step(info) {
      if (info.epoch !== barEpoch) {
        bar?.stop();
        barEpoch = info.epoch;
        started = Date.now();
        startPosition = info.position; // the rate counts from the end of the epoch's first step
        lastLogged = -1;
        bar = stderr.isTTY
          ? progressBar(info.total, `epoch ${info.epoch + 1}/${epochs}`, '{bar} {value}/{total} | loss {loss} | acc {acc} | {rate} img/s | ETA {eta_formatted}', stderr, { loss: '…', acc: '…' })
          : undefined;
      }
      bar?.update(info.position, { loss: info.meanLoss.toFixed(4), acc: pct(info.accuracy) });
      if (!stderr.isTTY) {
        const tenth = Math.floor((10 * info.position) / info.total);
        if (tenth === lastLogged) return;
        lastLogged = tenth;
        const seconds = (Date.now() - started) / 1000;
        const rate = (info.position - startPosition) / Math.max(seconds, 1e-3);
        const speed = rate > 0 ? ` ${rate.toFixed(1)} img/s ETA ${((info.total - info.position) / rate).toFixed(0)}s` : '';
        stderr.write(`epoch ${info.epoch + 1}/${epochs} ${info.position}/${info.total} loss ${info.meanLoss.toFixed(4)} acc ${pct(info.accuracy)}${speed}\n`);
      }
    },
    epoch(info) {
      bar?.stop();
      bar = undefined;
      barEpoch = -1;
      const validation = info.validationAccuracy !== undefined ? ` | validation loss ${info.validationLoss!.toFixed(4)} acc ${pct(info.validationAccuracy)}` : '';
      stdout.write(`epoch ${info.epoch + 1}/${epochs}: loss ${info.loss.toFixed(4)} acc ${pct(info.accuracy)}${validation} | ${info.seconds.toFixed(1)} s${info.best ? ' (best)' : ''}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}
