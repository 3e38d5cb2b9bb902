import { ComputeError } from '@hybridcompute/core';
import { CallRunner, type CallOutcome } from './call-runner.js';
import type { CallOrigin } from './call-origin.js';
import type { ParsedCall } from './parse-call.js';

/** What {@link ObservedCallRunner} reports of every call once it has been answered. */
export interface EndedCall {
  /** The task name the caller asked for: possibly one the server does not have (see `code`). */
  task: string;
  /** `'OK'`, or the `ComputeError` code the caller was answered with. */
  code: string;
  durationMs: number;
  origin: CallOrigin;
}

/**
 * A {@link CallRunner} that times every call and reports it once the
 * handler has answered it, with the code the caller got: used only when
 * metrics or the access log are on, so that a server without them pays
 * nothing per call.
 */
export class ObservedCallRunner extends CallRunner {
  readonly #onEnded: (call: EndedCall) => void;

  constructor(settings: ConstructorParameters<typeof CallRunner>[0], onEnded: (call: EndedCall) => void) {
    super(settings);
    this.#onEnded = onEnded;
  }

  /** Reads the clock, and the caller's address while its connection is surely open: a caller gone by the answer is still logged with it. */
  override callStarted(origin: CallOrigin): number {
    origin.address ??= (origin.socket as { remoteAddress?: string }).remoteAddress;
    return performance.now();
  }

  override answered(call: ParsedCall, answered: CallOutcome, startedAt: number, origin: CallOrigin): void {
    const code = answered.ok ? 'OK' : ComputeError.isInstance(answered.error) ? answered.error.code : 'TASK_FAILED';
    try {
      this.#onEnded({ task: call.task, code, durationMs: performance.now() - startedAt, origin });
    } catch {
      // A logger that throws must not turn an answered call into a crash or a lost answer.
    }
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
