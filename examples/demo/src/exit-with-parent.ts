// Loaded into the compute server's process with `--import` (see spawnDemoServer). The demo
// holds the write end of this process's stdin; when the demo dies in a way that runs none
// of its own code (SIGKILL, a crash in native code), the pipe closes and the server stops
// itself instead of living on as an orphan.
const stdin = process.stdin;
stdin.on('error', () => undefined);
stdin.once('close', () => {
  // SIGTERM: the CLI's own graceful shutdown; exit outright if that hangs.
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 5_000).unref();
});
stdin.resume();
// Reading stdin must not keep the server alive once it has closed on its own.
(stdin as unknown as { unref?: () => void }).unref?.();
