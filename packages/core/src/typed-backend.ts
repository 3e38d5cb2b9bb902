import type { ComputeTaskInterface, TaskCollection } from './types.js';

/**
 * The type-only mark a backend carries so that the router can infer its
 * tasks: `Tasks` is the type of a task collection (`typeof tasks`, an array
 * or record of definitions). It has no value at run time: the member is
 * optional and never set, so any backend, object literals included, still
 * fits without it.
 *
 * @typeParam Tasks - the type of a task collection; `unknown` for a backend whose tasks are not known.
 *
 * @example
 * ```ts
 * import type * as tasks from './tasks.js';
 *
 * // a hand-written backend, typed by the tasks it runs: the router infers them
 * const doubler: ComputeBackendLike & BackendTaskTypes<[typeof tasks.double]> = {
 *   canRun: (taskName) => taskName === 'double',
 *   runTask: async (_taskName, input: number) => input * 2,
 * };
 * const compute = createHybridCompute({ doubler });
 * await compute.runTask('double', 21); // Promise<number>
 * ```
 */
export interface BackendTaskTypes<Tasks> {
  /** Type-level only (never set): the tasks this backend runs. */
  readonly '~tasks'?: Tasks;
}

/**
 * A backend typed by its tasks: what the backend factories return when given
 * task definitions or names, or a type argument. The router infers task
 * names, inputs and outputs from it.
 *
 * @typeParam Backend - the backend's own type, such as `LocalBackend`.
 * @typeParam Tasks - the type of a task collection.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 *
 * const local: TypedBackend<LocalBackend, typeof tasks> = createLocalBackend({ tasks });
 * const compute = createHybridCompute({ local }); // knows 'double', 'greet', ...
 * ```
 */
export type TypedBackend<Backend, Tasks> = Backend & BackendTaskTypes<Tasks>;

/**
 * The task collection type of a backend (`unknown` for one that carries no
 * task types, such as an object literal).
 *
 * @example
 * ```ts
 * const local = createLocalBackend({ tasks: [tasks.double] });
 * type LocalTasks = TaskTypesOf<typeof local>; // readonly [typeof tasks.double]
 * ```
 */
export type TaskTypesOf<Backend> = Backend extends BackendTaskTypes<infer Tasks> ? Tasks : unknown;

/**
 * Tasks known by name only, as a worker or remote backend given
 * `tasks: ['resize', 'hash']`: the names are checked, inputs and outputs are
 * `unknown`. Where another backend of the same router has the definition,
 * the definition's types win.
 *
 * @typeParam Name - the task names.
 *
 * @example
 * ```ts
 * type Named = NamedTasks<'resize' | 'hash'>;
 * const remote = createRemoteBackend({ endpoint, tasks: ['resize', 'hash'] }); // TypedBackend<RemoteBackend, Named>
 * const compute = createHybridCompute({ remote });
 * const resized = await compute.runTask('resize', image); // Promise<unknown>
 * ```
 */
export type NamedTasks<Name extends string> = readonly (Name extends string ? NamedTask<Name> : never)[];

/**
 * One task of {@link NamedTasks}: a name, with `unknown` input and output.
 * Its type-level mark tells the router that it carries no types of its own.
 *
 * @typeParam Name - the task's name.
 *
 * @example
 * ```ts
 * type Resize = NamedTask<'resize'>; // runTask('resize', anything): Promise<unknown>
 * ```
 */
export interface NamedTask<Name extends string> extends ComputeTaskInterface<unknown, unknown, Name> {
  /** Type-level only: this task is known by name, not by its definition. */
  readonly '~namedOnly': true;
}

/**
 * The task types a backend factory gives its backend, from the factory's
 * type argument (`Tasks`, when given) or else from its `tasks` option
 * (`Declared`): task definitions type it by themselves, literal names by
 * {@link NamedTasks}, and no `tasks` (or names typed as plain `string[]`)
 * leaves it `unknown`, so that a router using it accepts any task name.
 *
 * @typeParam Tasks - the factory's explicit type argument; `never` when left out.
 * @typeParam Declared - the type of the `tasks` option.
 *
 * @example
 * ```ts
 * export function createMyBackend<Tasks = never, const Declared extends TaskCollection | readonly string[] | undefined = undefined>(
 *   options: { tasks?: Declared },
 * ): TypedBackend<MyBackend, BackendTasksFrom<Tasks, Declared>> {
 *   return new MyBackend(options);
 * }
 * ```
 */
export type BackendTasksFrom<Tasks, Declared> = [Tasks] extends [never] ? TasksOfOption<Declared> : Tasks;

type TasksOfOption<Declared> = [Declared] extends [undefined]
  ? unknown
  : [Declared] extends [readonly string[]]
    ? string extends Declared[number]
      ? unknown
      : NamedTasks<Declared[number]>
    : [TaskCollection] extends [Declared]
      ? unknown
      : Declared;
