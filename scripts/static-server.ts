// A tiny static file server on 127.0.0.1 for the browser tests, the browser benchmark and `npm run serve`.
// It serves a few folders of the repository at the same paths they have in the tree (so relative imports
// between web/, bench/browser/ and dist/browser/ work the same from a clone), plus in-memory files that
// shadow the disk (a bundle built by a test). GET and HEAD only; nothing outside the mounts is reachable.
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The folders served by default, as URL prefixes = paths from the repository root. */
export const DEFAULT_MOUNTS: readonly string[] = ['web/', 'bench/browser/', 'dist/browser/'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServerOptions {
  /** Folders (relative to the repository root, ending in '/') served at the same URL paths. */
  readonly mounts?: readonly string[];
  /** URL path (e.g. '/dist/browser/mbe-snn.min.js') -> contents served instead of the disk. */
  readonly files?: ReadonlyMap<string, string | Uint8Array>;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Where '/' redirects. */
  readonly index?: string;
  /** URL prefix (e.g. '/fixtures/') -> an absolute folder outside the repository served under it. */
  readonly aliases?: ReadonlyMap<string, string>;
  /**
   * Send COOP/COEP headers, so pages are cross-origin isolated: SharedArrayBuffer, and so kernel threads, are
   * available to them (everything served is same-origin, so nothing is blocked). Default false.
   */
  readonly crossOriginIsolated?: boolean;
}

/** The headers that make a page cross-origin isolated. */
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

export interface StaticServer {
  /** e.g. 'http://127.0.0.1:41234' */
  readonly origin: string;
  close(): Promise<void>;
}

export function contentType(path: string): string {
  return CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
}

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startStaticServer(options: StaticServerOptions = {}): Promise<StaticServer> {
  const mounts = options.mounts ?? DEFAULT_MOUNTS;
  const files = options.files ?? new Map<string, string | Uint8Array>();
  const index = options.index ?? '/web/kernel-test.html';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/') {
      response.writeHead(302, { location: index }).end();
      return;
    }
    const inMemory = files.get(path);
    const alias = [...(options.aliases ?? [])].find(([prefix]) => path.startsWith(prefix));
    const found =
      inMemory !== undefined
        ? { body: inMemory, type: contentType(path) }
        : alias
          ? await readAliased(path.slice(alias[0].length), alias[1])
          : await readMounted(path, mounts);
    if (found === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    if ('redirect' in found) {
      response.writeHead(302, { location: found.redirect }).end();
      return;
    }
    const { body, type } = found;
    response.writeHead(200, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      ...(options.crossOriginIsolated ? ISOLATION_HEADERS : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** What a URL path names under the mounts: a file's bytes, a folder to redirect to, or nothing. */
async function readMounted(
  path: string,
  mounts: readonly string[],
): Promise<{ body: Buffer; type: string } | { redirect: string } | undefined> {
  const relative = normalize(path.replace(/^\/+/, ''));
  if (relative.startsWith('..') || relative.includes('\0')) return undefined;
  if (!mounts.some((mount) => `${relative}${sep}`.startsWith(normalize(mount)))) return undefined;
  const file = join(REPO_ROOT, relative);
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    return path.endsWith('/') ? readMounted(`${path}index.html`, mounts) : { redirect: `${path}/` };
  }
  if (!info?.isFile()) return undefined;
  return { body: await readFile(file), type: contentType(file) };
}

/** A file under an aliased folder: the relative path may not climb out of it. */
async function readAliased(relativePath: string, folder: string): Promise<{ body: Buffer; type: string } | undefined> {
  const relative = normalize(relativePath);
  if (relative.startsWith('..') || relative.includes('\0') || relative.startsWith(sep)) return undefined;
  const file = join(folder, relative);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return { body: await readFile(file), type: contentType(file) };
}
