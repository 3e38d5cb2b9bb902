/**
 * Whether a process with this id exists (signal 0 checks without sending
 * anything): how the tests see that the demo left no server behind.
 *
 * @example
 * ```ts
 * isProcessAlive(server.pid); // false once the server has exited
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
