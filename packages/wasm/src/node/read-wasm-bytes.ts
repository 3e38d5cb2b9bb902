import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fetchWasmBytes } from '../fetch-wasm-bytes.js';

// A scheme of two letters or more: 'C:\\x.wasm' is a Windows path, not a URL.
const urlScheme = /^[a-z][a-z0-9+.-]+:/i;

/**
 * The Node build's loader: a `file:` URL or a path from the file system (a
 * relative path from the process's working directory), any other URL through `fetch`.
 */
export async function readWasmBytes(location: string | URL): Promise<Uint8Array> {
  const url = location instanceof URL ? location : urlScheme.test(location) ? new URL(location) : undefined;
  if (url === undefined) return new Uint8Array(await readFile(location as string));
  if (url.protocol === 'file:') return new Uint8Array(await readFile(fileURLToPath(url)));
  return fetchWasmBytes(url);
}
