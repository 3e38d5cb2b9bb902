/**
 * Reads a module's bytes with `fetch`: the browser build's loader, and the
 * Node build's for `http:`, `https:` and `data:` URLs. A relative string
 * resolves against the page or the worker, as `fetch` resolves it.
 */
export async function fetchWasmBytes(location: string | URL): Promise<Uint8Array> {
  const response = await fetch(location);
  if (!response.ok) throw new Error(`GET ${String(location)} answered ${response.status} ${response.statusText}`.trimEnd());
  return new Uint8Array(await response.arrayBuffer());
}
