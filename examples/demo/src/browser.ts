// The browser-safe part of the demo, for pages (examples/browser): no node: imports.
export { createAnswerChecker, demoInput, makeDemoBatch } from './demo-batch.js';
export type { DemoCall, DemoImage, PixelsAs } from './demo-batch.js';
export { createSettledRecorder, runDemoPhase } from './run-demo-phase.js';
export type { BackendFigures, DemoPhase, DemoPhaseRouter, RunDemoPhaseOptions } from './run-demo-phase.js';
export { toBase64, fromBase64 } from './base64.js';
export { fillPseudoRandom } from './fill-pseudo-random.js';
export { warmUpDemoBackends } from './warm-up-demo-backends.js';
export type { WarmUpDemoBackendsOptions } from './warm-up-demo-backends.js';
