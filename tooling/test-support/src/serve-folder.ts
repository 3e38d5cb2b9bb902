import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

/** A folder served over HTTP on 127.0.0.1. */
export interface ServedFolder {
  /** `http://127.0.0.1:<port>`, with no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/**
 * Serves the files of `folder` on 127.0.0.1 at a free port, as a static host
 * would serve a built site to headless Chromium: `index.html` for a path
 * ending in `/`, 404 for what is not there, 403 for a path outside the folder.
 * `onRequest` sees each request's decoded path.
 *
 * @example
 * const site = await serveFolder(siteDir);
 * await page.goto(`${site.origin}/`);
 * await site.close();
 */
export async function serveFolder(folder: string, onRequest?: (path: string) => void): Promise<ServedFolder> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    const file = join(folder, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(folder)) {
      response.writeHead(403).end();
      return;
    }
    onRequest?.(path);
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
