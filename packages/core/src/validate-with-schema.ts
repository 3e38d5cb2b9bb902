import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ComputeError, type ComputeErrorIssue } from './compute-error.js';

/**
 * Checks `value` against a Standard Schema v1 validator (zod 4, valibot 1,
 * arktype 2 and others implement it) and gives back what the schema makes
 * of it, or a promise of that for an async schema. A failure throws (or
 * rejects with) `INVALID_REQUEST` whose `issues` list each path and message.
 *
 * @param which - what the value is, for the message: `'input'` or `'output'`.
 *
 * @example
 * ```ts
 * const size = validateWithSchema(z.number().int(), input, 'resize', 'input'); // number, or throws INVALID_REQUEST
 * ```
 */
export function validateWithSchema<Schema extends StandardSchemaV1>(
  schema: Schema,
  value: unknown,
  taskName: string,
  which: 'input' | 'output',
): StandardSchemaV1.InferOutput<Schema> | Promise<StandardSchemaV1.InferOutput<Schema>> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) return result.then((settled) => outcome(settled, taskName, which));
  return outcome(result, taskName, which);
}

function outcome<Output>(result: StandardSchemaV1.Result<Output>, taskName: string, which: 'input' | 'output'): Output {
  if (result.issues === undefined) return result.value;
  const issues: ComputeErrorIssue[] = result.issues.map((issue) => {
    // Array.from: some libraries hand out an Array subclass with fields of its own (arktype).
    const path = (issue.path === undefined ? undefined : Array.from(issue.path, (segment) => (typeof segment === 'object' ? segment.key : segment)))
      ?.filter((key): key is string | number => typeof key === 'string' || typeof key === 'number');
    return path === undefined || path.length === 0 ? { message: issue.message } : { path, message: issue.message };
  });
  const described = issues
    .slice(0, 3)
    .map((issue) => (issue.path === undefined ? issue.message : `${issue.path.join('.')}: ${issue.message}`))
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return fail(
    new ComputeError({
      code: 'INVALID_REQUEST',
      message: `The ${which} of task '${taskName}' does not match its schema: ${described}${more}`,
      taskName,
      issues,
    }),
  );
}

function fail(error: ComputeError): never {
  throw error;
}
