/**
 * A loopback static server for the browser tests: 127.0.0.1 on a random port, every response
 * with the cross-origin isolation headers (COOP same-origin, COEP require-corp) without which a
 * page has no SharedArrayBuffer and onnxruntime-web no wasm threads. It serves folders under URL
 * prefixes, bytes a test puts in memory (`/blob/<name>`), and keeps bytes the page PUTs there.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

export const BLOB_PREFIX = '/blob/';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  // Same-origin resources pass require-corp anyway; stated so a worker or frame may load them too.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Serves `bytes` at `/blob/<name>` until taken or the server closes. */
  put(name: string, bytes: Uint8Array): void;
  /** Removes and returns what is stored at `/blob/<name>` (put by the test or by the page). */
  take(name: string): Uint8Array;
  /** Drops every blob whose name starts with `prefix`. */
  drop(prefix: string): void;
  /** `METHOD path` of every request so far, in order (a cache test counts its downloads). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts the server; `mounts` maps URL prefixes ('/ort/') to folders.
 *
 * @example
 * const server = await startStaticServer({ '/ort/': 'node_modules/onnxruntime-web/dist' });
 * server.put('model.onnx', bytes); // page: fetch('/blob/model.onnx')
 */
export async function startStaticServer(mounts: Readonly<Record<string, string>>): Promise<StaticServer> {
  const blobs = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const handlers = Object.entries(mounts).map(([prefix, dir]) => ({
    prefix,
    // dev: read the folder on each request, since dist/ is rebuilt between runs.
    serve: sirv(dir, { dev: true, etag: false }),
  }));

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${path}`);
    if (path.startsWith(BLOB_PREFIX)) return blob(path.slice(BLOB_PREFIX.length), req, res);
    const mount = handlers.find((h) => path.startsWith(h.prefix));
    if (!mount) return notFound(res, path);
    req.url = `/${req.url!.slice(mount.prefix.length)}`;
    mount.serve(req, res, () => notFound(res, path));
  });

  function blob(name: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        blobs.set(name, new Uint8Array(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
      return;
    }
    const bytes = blobs.get(name);
    if (!bytes) return notFound(res, `${BLOB_PREFIX}${name}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength }).end(bytes);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    put: (name, bytes) => void blobs.set(name, bytes),
    take(name) {
      const bytes = blobs.get(name);
      if (!bytes) throw new Error(`the page stored nothing at ${BLOB_PREFIX}${name}; stored: ${[...blobs.keys()].join(', ') || 'nothing'}`);
      blobs.delete(name);
      return bytes;
    },
    drop(prefix) {
      for (const name of blobs.keys()) if (name.startsWith(prefix)) blobs.delete(name);
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

function notFound(res: ServerResponse, path: string): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
}
