/** Which runtime runs the benchmark, for the header of its table: Bun and Deno report a Node version too. */
export function runtimeLabel() {
  if (process.versions.bun !== undefined) return `Bun ${process.versions.bun}`;
  if (globalThis.Deno !== undefined) return `Deno ${globalThis.Deno.version.deno}`;
  return `Node ${process.version}`;
}
