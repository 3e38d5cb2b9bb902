import type { StandardSchemaV1 } from '@standard-schema/spec';
import { invalidArgumentError } from './invalid-argument-error.js';
import type { ComputeTaskInterface, TaskContext } from './types.js';
import { validateWithSchema } from './validate-with-schema.js';

/**
 * The validators of a task: Standard Schema v1 objects (zod 4, valibot 1,
 * arktype 2, ...) for its input and, optionally, its output.
 *
 * @example
 * ```ts
 * const schemas: TaskSchemas = { input: z.object({ width: z.number().int().positive() }), output: z.string() };
 * ```
 */
export interface TaskSchemas {
  readonly input?: StandardSchemaV1 | undefined;
  readonly output?: StandardSchemaV1 | undefined;
}

/** What a caller passes for a schema: its input type, or `void` without a schema. */
type SchemaInput<Schema> = Schema extends StandardSchemaV1 ? StandardSchemaV1.InferInput<Schema> : void;
/** What `run` receives, or a caller gets back, once a schema has checked it. */
type SchemaOutput<Schema> = Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema> : void;

/**
 * A task defined with schemas: a task definition that also keeps its
 * `schemas`, so a server can describe them.
 *
 * @example
 * ```ts
 * const resize: SchemaTask<{ width: number }, string, 'resize'> = defineTask('resize', { input: Size }, ({ width }) => `${width}px`);
 * resize.schemas.input; // the zod object
 * ```
 */
export interface SchemaTask<Input, Output, Name extends string, Schemas extends TaskSchemas = TaskSchemas>
  extends ComputeTaskInterface<Input, Output, Name> {
  readonly schemas: Schemas;
}

/**
 * Defines a named task. The same definition is registered by the local
 * backend, exposed by a worker file and served by a compute server, and its
 * types flow to the router's `runTask`.
 *
 * @param name - the name callers use; non-empty.
 * @param run - does the work, sync or async; `context.signal` aborts on cancel or timeout.
 *   A `run` that takes no input makes a task whose input is `void`: callers leave it out.
 * @throws TypeError (code `INVALID_REQUEST`) when `name` is not a non-empty string or `run` is not a function.
 *
 * @example
 * ```ts
 * export const double = defineTask('double', (n: number) => n * 2);
 * export const hash = defineTask('hash', async (text: string, { signal }) => sha256(text, { signal }));
 * ```
 */
export function defineTask<const Name extends string, Input = void, Output = unknown>(
  name: Name,
  run: (input: Input, context: TaskContext) => Output,
): ComputeTaskInterface<Input, Awaited<Output>, Name>;
/**
 * Defines a named task whose input (and, optionally, output) a schema
 * checks, wherever the task runs: the backend that runs it validates the
 * input before `run` and the output after it. A value the schema refuses
 * rejects the call with `INVALID_REQUEST` and its `issues` (each a path and
 * a message), which cross workers, the network and the queue; over HTTP it
 * is a 400, and `run` never starts. `run` gets what the schema makes of the
 * input (defaults applied, strings coerced), and its type is inferred from it.
 *
 * @param schemas - `{ input, output }`, Standard Schema v1 validators (zod 4, valibot 1, arktype 2, ...).
 * @throws TypeError (code `INVALID_REQUEST`) for a bad name, a `run` that is not a function,
 *   or a schema that is not a Standard Schema.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 *
 * export const resize = defineTask(
 *   'resize',
 *   { input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }) },
 *   ({ width, height }) => width * height, // { width: number; height: number }
 * );
 * await compute.runTask('resize', { width: -1, height: 2 }); // rejects: INVALID_REQUEST, issues [{ path: ['width'], ... }]
 * ```
 */
export function defineTask<const Name extends string, const Schemas extends TaskSchemas, Output = unknown>(
  name: Name,
  schemas: Schemas,
  run: (input: SchemaOutput<Schemas['input']>, context: TaskContext) => Output,
): SchemaTask<SchemaInput<Schemas['input']>, Schemas['output'] extends StandardSchemaV1 ? SchemaOutput<Schemas['output']> : Awaited<Output>, Name, Schemas>;
export function defineTask(
  name: string,
  schemasOrRun: TaskSchemas | ((input: unknown, context: TaskContext) => unknown),
  maybeRun?: (input: unknown, context: TaskContext) => unknown,
): ComputeTaskInterface {
  // Only an object is schemas; anything else in second place is a (bad) run, reported as such below.
  const withSchemas = typeof schemasOrRun === 'object' && schemasOrRun !== null;
  const run = withSchemas ? maybeRun : schemasOrRun;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidArgumentError(`defineTask: the name must be a non-empty string, got ${describe(name)}`);
  }
  if (typeof run !== 'function') {
    throw invalidArgumentError(`defineTask('${name}'): run must be a function, got ${describe(run)}`);
  }
  if (!withSchemas) return Object.freeze({ name, run });
  const schemas = checkSchemas(name, schemasOrRun);
  return Object.freeze({ name, schemas: Object.freeze({ ...schemas }), run: validatingRun(name, schemas, run) });
}

function checkSchemas(name: string, schemas: object): TaskSchemas {
  for (const which of ['input', 'output'] as const) {
    const schema = (schemas as Record<string, unknown>)[which];
    if (schema !== undefined && !isStandardSchema(schema)) {
      throw invalidArgumentError(`defineTask('${name}'): schemas.${which} must be a Standard Schema v1 validator (zod 4, valibot 1, arktype 2, ...)`);
    }
  }
  return schemas as TaskSchemas;
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return typeof standard === 'object' && standard !== null && standard.version === 1 && typeof standard.validate === 'function';
}

// Validation lives in `run` itself, so every backend that runs the definition checks it, without knowing schemas exist.
function validatingRun(
  name: string,
  { input: inputSchema, output: outputSchema }: TaskSchemas,
  run: (input: unknown, context: TaskContext) => unknown,
): (input: unknown, context: TaskContext) => unknown {
  const checkOutput =
    outputSchema === undefined
      ? (result: unknown) => result
      : (result: unknown) =>
          isThenable(result)
            ? Promise.resolve(result).then((value) => validateWithSchema(outputSchema, value, name, 'output'))
            : validateWithSchema(outputSchema, result, name, 'output');
  return (input, context) => {
    if (inputSchema === undefined) return checkOutput(run(input, context));
    const checked = validateWithSchema(inputSchema, input, name, 'input');
    if (checked instanceof Promise) return checked.then((value) => checkOutput(run(value, context)));
    return checkOutput(run(checked, context));
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? `'${value}'` : typeof value;
}
