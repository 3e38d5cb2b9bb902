import { ComputeError } from '@hybridcompute/core';
import { CallRunner, type CallOutcome } from './call-runner.js';
import type { CallOrigin } from './call-origin.js';
import type { CallStop } from './call-stop.js';
import type { ParsedCall } from './parse-call.js';

/** What {@link ObservedCallRunner} reports of every call once it has settled. */
export interface EndedCall {
  /** The task name the caller asked for: possibly one the server does not have (see `code`). */
  task: string;
  /** `'OK'`, or the `ComputeError` code the call was answered with. */
  code: string;
  durationMs: number;
  origin: CallOrigin | undefined;
}

/**
 * A {@link CallRunner} that times every call and reports it once it settles:
 * used only when metrics or the access log are on, so that a server without
 * them pays nothing per call.
 */
export class ObservedCallRunner extends CallRunner {
  readonly #onEnded: (call: EndedCall) => void;

  constructor(settings: ConstructorParameters<typeof CallRunner>[0], onEnded: (call: EndedCall) => void) {
    super(settings);
    this.#onEnded = onEnded;
  }

  override async run(call: ParsedCall, callerTimeout: number | undefined, stop: CallStop, onProgress?: (value: unknown) => void, origin?: CallOrigin): Promise<CallOutcome> {
    const started = performance.now();
    const outcome = await super.run(call, callerTimeout, stop, onProgress, origin);
    const code = outcome.ok ? 'OK' : ComputeError.isInstance(outcome.error) ? outcome.error.code : 'TASK_FAILED';
    try {
      this.#onEnded({ task: call.task, code, durationMs: performance.now() - started, origin });
    } catch {
      // A logger that throws must not turn an answered call into a crash or a lost answer.
    }
    return outcome;
  }

  /** Whether the backend runs `taskName`: metrics label unknown names as one, so callers cannot mint labels. */
  knows(taskName: string): boolean {
    try {
      return this.backend.canRun(taskName) === true;
    } catch {
      return false;
    }
  }
}
