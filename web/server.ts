/**
 * `npm run web`: serves the web app (web/), its compiled module (dist/web/src/) and the library's
 * browser bundle (dist/browser/) on 127.0.0.1, every response cross-origin isolated (COOP
 * same-origin, COEP require-corp) so that onnxruntime-web runs wasm with threads. Nothing is
 * fetched from elsewhere: the app works offline from the checkout.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** The checkout's root, from dist/web/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `npm run build` writes the browser bundle and onnxruntime-web's files. */
export const BUNDLE_DIR = join(ROOT, 'dist', 'browser');

/** URL prefix → folder, longest prefix first (the app's own files are the fallback). */
function mounts(bundleDir: string): readonly (readonly [string, string])[] {
  return [
    ['/lib/', bundleDir],
    ['/js/', join(ROOT, 'dist', 'web', 'src')],
    ['/', join(ROOT, 'web')],
  ];
}

export interface AppServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

export interface AppServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** The browser bundle's folder. Default {@link BUNDLE_DIR} (a test serves its own build). */
  readonly bundleDir?: string;
}

/**
 * Starts the app's server on 127.0.0.1.
 *
 * @example
 * const server = await startAppServer({ port: 8080 });
 * console.log(server.url); // http://127.0.0.1:8080/
 */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  // dev: files are read on each request, so a rebuild shows on reload.
  const handlers = mounts(options.bundleDir ?? BUNDLE_DIR).map(([prefix, dir]) => ({ prefix, serve: sirv(dir, { dev: true, etag: false }) }));
  const server = createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const mount = handlers.find((m) => path.startsWith(m.prefix))!;
    req.url = `/${req.url!.slice(mount.prefix.length)}`;
    mount.serve(req, res, () => notFound(res, path));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

function notFound(res: ServerResponse, path: string): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
}

/** `node dist/web/server.js [--port N]`: one line with the URL, then serves until Ctrl-C. */
async function main(args: readonly string[]): Promise<void> {
  const at = args.indexOf('--port');
  const text = at >= 0 ? args[at + 1] : process.env.PORT ?? '8080';
  const port = Number(text);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    console.error(`efficientnet web: invalid port '${text}'. Should be an integer from 0 to 65535`);
    process.exitCode = 2;
    return;
  }
  const bundle = join(BUNDLE_DIR, 'efficientnet-ts.js');
  if (!existsSync(bundle)) {
    console.error(`efficientnet web: no browser bundle at ${bundle}: run \`npm run build\` first`);
    process.exitCode = 1;
    return;
  }
  try {
    const server = await startAppServer({ port });
    console.log(`efficientnet-ts web app: ${server.url}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    console.error(`efficientnet web: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'the port is in use: try --port 0' : (error as Error).message})`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
