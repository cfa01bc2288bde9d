/**
 * Progress bars on a terminal (cli-progress, on stderr), nothing when stderr is piped, so that
 * scripts reading stdout or logs never see control characters.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the count done and optional extra fields shown in the bar. */
  update(done: number, fields?: Record<string, string | number>): void;
  /** Raises the total (e.g. once a download's length is known). */
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => {}, setTotal: () => {}, stop: () => {} };

/**
 * A bar with a rate and ETA; `format` may name extra fields as {field} (`initial` gives their first values).
 *
 * @example
 * const bar = progressBar(files.length, 'classify', '{value}/{total} images | {rate} img/s | ETA {eta_formatted}');
 */
export function progressBar(total: number, title: string, format = '{bar} {percentage}% | {value}/{total} | ETA {eta_formatted}', stream: NodeJS.WriteStream = process.stderr, initial: Record<string, string | number> = {}): Progress {
  if (!stream.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar({
    format: `${title} {bar} ${format.replace('{bar} ', '')}`,
    stream,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { rate: '0.0', ...initial });
  const started = Date.now();
  return {
    update(done, fields = {}) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(1) : '0.0', ...fields });
    },
    setTotal(n) {
      bar.setTotal(n);
    },
    stop() {
      bar.stop();
    },
  };
}
