/**
 * The web app's entry: loads the library bundle, then wires the four steps (model, classify,
 * classes and training, download) around one shared state. `window.efficientnetApp` gives the
 * state to the browser test (and to a curious console).
 */
import { ClassesPanel } from './classesPanel.js';
import { classifyPanel } from './classifyPanel.js';
import { downloadPanel } from './downloadPanel.js';
import { library } from './library.js';
import { modelPanel } from './modelPanel.js';
import { AppState } from './state.js';
import { trainPanel } from './trainPanel.js';

declare global {
  interface Window { efficientnetApp?: { readonly state: AppState } }
}

const state = new AppState();
try {
  const lib = await library();
  await modelPanel(state);
  classifyPanel(state);
  trainPanel(state, new ClassesPanel(state), lib);
  downloadPanel(state);
  window.efficientnetApp = { state };
  state.status(`Ready (${self.crossOriginIsolated ? 'cross-origin isolated: wasm can use threads' : 'not cross-origin isolated: wasm runs on one thread'}). Load weights or start from scratch.`);
} catch (error) {
  state.status(`The app could not start: ${(error as Error).message}. Serve it with \`npm run web\` after \`npm run build\`.`, true);
  throw error;
}
