export { ComputeError, computeErrorCodes } from './compute-error.js';
export type {
  ComputeErrorCode,
  ComputeErrorIssue,
  ComputeErrorOptions,
  SerializedComputeError,
  SerializedErrorCause,
} from './compute-error.js';
export { defineTask } from './define-task.js';
export type { SchemaTask, TaskSchemas } from './define-task.js';
export { validateWithSchema } from './validate-with-schema.js';
export { invalidArgumentError } from './invalid-argument-error.js';
export { isAbortSignal } from './is-abort-signal.js';
export { isTimerDelay, maxTimerDelay } from './is-timer-delay.js';
export { messageOf } from './message-of.js';
export { collectTasks, isComputeTask } from './collect-tasks.js';
export { abortErrorFrom } from './abort-error-from.js';
export { settleOnAbort } from './settle-on-abort.js';
export { runTaskDefinition } from './run-task-definition.js';
export { streamTaskDefinition } from './stream-task-definition.js';
export { isStreamingTask, isTaskStream } from './task-stream.js';
export { lazyStream } from './lazy-stream.js';
export { ChunkQueue } from './chunk-queue.js';
export type { ChunkQueueHooks } from './chunk-queue.js';
export { defaultHighWaterMark, isRunTimeout, noCallOptions, readRunOptions, readStreamOptions } from './lifecycle/read-run-options.js';
export type { CallOptions, StreamCallOptions } from './lifecycle/read-run-options.js';
export { CallDeadline } from './lifecycle/call-deadline.js';
export { runUnderDeadline } from './lifecycle/run-under-deadline.js';
export { CallsInFlight, InFlightCall } from './lifecycle/calls-in-flight.js';
export type { CallCounts, CallsInFlightOptions } from './lifecycle/calls-in-flight.js';
export { CloseOnce } from './lifecycle/close-once.js';
export { computeErrorFrom, withCallNames } from './lifecycle/compute-error-from.js';
export { backendClosedError, backendUnavailableError } from './lifecycle/backend-unavailable-error.js';
export { taskNotFoundError } from './lifecycle/task-not-found-error.js';
export { taskTimeoutError } from './lifecycle/task-timeout-error.js';
export { taskFailedError } from './task-failed-error.js';
export { codeOfHttpStatus, httpStatusOf } from './wire/error-status.js';
export { idempotencyKeyHeader, timeoutHeader } from './wire/wire-messages.js';
export type {
  ComputeErrorBody,
  ComputeRequestBody,
  ComputeSuccessBody,
  TaskListBody,
  WireCallFrame,
  WireCallId,
  WireCancelFrame,
  WireErrorFrame,
  WireResultFrame,
} from './wire/wire-messages.js';
export { createHybridCompute, HybridCompute } from './create-hybrid-compute.js';
export { RunTimeEstimate } from './placement/run-time-estimate.js';
export type { RunTimeEstimateOptions } from './placement/run-time-estimate.js';
export { estimateFinishMs } from './placement/estimate-finish-ms.js';
export type { ExecutionStrategy, HybridComputeBackends, HybridComputeConstructor, HybridComputeOptions, HybridComputeRunTask, HybridComputeStreamTask, NoInputTaskNameOf, RouterBackendName, RouterTasks, RunOptions, StrategyOrOptions, StreamingTaskName, TaskInputFor, TaskOutputFor, TaskSettledEvent, TaskStartEvent, TypedRunTask } from './hybrid-compute-types.js';
export type { BackendStats, PlacementOptions, PlacementReason, RouterStats, TaskBackendStats } from './placement/placement-types.js';
export type { BackendNameOf, CheckedBackends, InferredTasks, TaskTypeConflicts } from './inferred-tasks.js';
export type { BackendTaskTypes, BackendTasksFrom, NamedTask, NamedTasks, TaskTypesOf, TypedBackend } from './typed-backend.js';
export type {
  AnyComputeTask,
  BackendLoad,
  ComputeBackendInterface,
  ComputeBackendLike,
  ComputeTaskInterface,
  RunTaskOptions,
  StreamTaskOptions,
  TaskChunk,
  TaskCollection,
  TaskContext,
  TaskInput,
  TaskNameOf,
  TaskOutput,
  TaskRegistryOf,
  MergedTasks,
} from './types.js';
export { traceSpanKind, traceStatusCode } from './tracing/tracer-like.js';
export type { SpanLike, TraceAttributeValue, TraceSpanOptions, TracerLike } from './tracing/tracer-like.js';
export { endFailed, outcomeAttribute, traceSpan } from './tracing/trace-span.js';
export { rpcSystem } from './tracing/trace-router-call.js';
export { streamClosedEarlyAttribute } from './tracing/trace-router-stream.js';
export { requireOptionalPeer } from './tracing/require-optional-peer.js';
export { traceContextCarrier } from './tracing/trace-context-carrier.js';
export type { TraceCarrier, TraceContextApiLike, TraceContextCarrier } from './tracing/trace-context-carrier.js';
