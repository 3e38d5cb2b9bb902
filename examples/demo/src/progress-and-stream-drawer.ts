import { progress, type ProgressResult } from '@clack/prompts';
import type { ProgressAndStreamEvent } from './run-progress-and-stream.js';

/**
 * Draws the demo's progress and streaming section in the terminal: a live
 * bar fed by the long task's `onProgress` (a line per quarter without a
 * terminal), and a line per streamed tile. Returns whether a bar is drawn
 * now (an interruption then has to put the terminal right).
 *
 * @example
 * ```ts
 * const draw = createProgressAndStreamDrawer(process.stdout.isTTY === true);
 * await runProgressAndStream({ compute, longTaskOn: 'worker', streamOn: 'worker', onProgress: draw });
 * ```
 */
export function createProgressAndStreamDrawer(animate: boolean): (event: ProgressAndStreamEvent) => boolean {
  let bar: ProgressResult | undefined;
  let shown = 0;
  let quarter = 0;
  return (event) => {
    switch (event.type) {
      case 'long-task-started':
        shown = 0;
        quarter = 0;
        if (animate) {
          bar = progress({ max: 100, size: 30, style: 'heavy', cancelMessage: 'interrupted' });
          bar.start(`countPrimes(${event.limit}) on ${event.backend}: progress from the task`);
        } else {
          console.log(`countPrimes(${event.limit}) on ${event.backend}, reporting progress...`);
        }
        break;
      case 'long-task-progress': {
        const percent = Math.floor((100 * event.checked) / event.limit);
        if (bar !== undefined) {
          bar.advance(percent - shown);
          shown = percent;
          if (event.checked === event.limit) {
            bar.stop(`countPrimes(${event.limit}) on ${event.backend}: 100%`);
            bar = undefined;
          }
        } else if (!animate && Math.floor(percent / 25) > quarter) {
          quarter = Math.floor(percent / 25);
          console.log(`  ${quarter * 25}%`);
        }
        break;
      }
      case 'tile':
        if (event.index === 0) console.log(`blurTiles on ${event.backend}: streaming ${event.of} tiles...`);
        if (event.index === event.of - 1) console.log(`  ${event.of} tiles received`);
        break;
    }
    return bar !== undefined;
  };
}
