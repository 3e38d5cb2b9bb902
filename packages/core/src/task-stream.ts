/**
 * Whether a task's `run` gave back a stream: an async iterator, as an
 * `async function*` returns. Such a task's chunks are what `streamTask`
 * yields; `runTask` resolves with its return value.
 *
 * @example
 * ```ts
 * const result = task.run(input, context);
 * if (isTaskStream(result)) for await (const chunk of result) send(chunk);
 * ```
 */
export function isTaskStream(value: unknown): value is AsyncIterator<unknown, unknown> & AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Whether a task streams, known before it runs: its `run` is an
 * `async function*`. A task that only returns an async iterator from a plain
 * function is found out when it runs.
 *
 * @example
 * ```ts
 * if (!isStreamingTask(task)) return Promise.reject(invalidArgumentError(`Task '${task.name}' does not stream`));
 * ```
 */
export function isStreamingTask(task: { run: unknown }): boolean {
  return typeof task.run === 'function' && task.run.constructor?.name === 'AsyncGeneratorFunction';
}
