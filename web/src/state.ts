/**
 * What the panels share: the current model (replaced when one is loaded or trained; the old one
 * is disposed), the status line, and whether a long job (loading, training) holds the page.
 */
import { byId } from './dom.js';
import type { Model } from './library.js';

type Listener = (model: Model) => void | Promise<void>;

export class AppState {
  private current: Model | undefined;
  private readonly listeners: Listener[] = [];
  private readonly statusLine = byId('status', HTMLElement);
  /** The job holding the page, if any. */
  busy: string | undefined;

  get model(): Model | undefined {
    return this.current;
  }

  /** Calls `listener` with every new model. */
  onModel(listener: Listener): void {
    this.listeners.push(listener);
  }

  /**
   * Makes `model` the current one; the previous one's sessions are freed.
   *
   * @example
   * await state.setModel(await EfficientNet.fromWeights(file));
   */
  async setModel(model: Model): Promise<void> {
    const previous = this.current;
    this.current = model;
    if (previous && previous !== model) await previous.dispose();
    for (const listener of this.listeners) await listener(model);
  }

  /** One line at the bottom of the page; errors in red. */
  status(message: string, isError = false): void {
    this.statusLine.textContent = message;
    this.statusLine.classList.toggle('error', isError);
  }

  /**
   * Runs a long job with the page marked busy; an error becomes the status line (its message
   * only: the library's errors are one line naming the bad value).
   *
   * @example
   * await state.run('Loading weights', () => load());
   */
  async run(what: string, job: () => Promise<void>): Promise<void> {
    if (this.busy) {
      this.status(`${this.busy} is still running: wait for it or stop it`, true);
      return;
    }
    this.busy = what;
    document.body.classList.add('busy');
    this.status(`${what}…`);
    try {
      await job();
    } catch (error) {
      this.status(`${what} failed: ${(error as Error).message}`, true);
      console.error(error);
    } finally {
      this.busy = undefined;
      document.body.classList.remove('busy');
    }
  }
}
