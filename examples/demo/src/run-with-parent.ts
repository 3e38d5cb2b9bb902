// Deno's stand-in for `--import exit-with-parent.js` (see spawnDemoServer): Deno has no
// --import, and neither its --preload (which waits for the preloaded module's event loop)
// nor a stdin watch (its close does not come when the demo dies) serves there. This checks
// the parent process instead, then runs the script named next on the command line.
import { pathToFileURL } from 'node:url';

const parent = process.ppid;
const watch = setInterval(() => {
  // The demo died (an orphan is handed to another parent): stop as exit-with-parent does.
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 5_000).unref();
}, 200);
watch.unref();

const [script] = process.argv.splice(2, 1);
if (script === undefined) throw new Error('run-with-parent: name the script to run');
await import(pathToFileURL(script).href);
