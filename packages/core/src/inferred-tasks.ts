import type { TaskTypesOf } from './typed-backend.js';
import type { MergedTasks, TaskInput, TaskOutput, TaskRegistryOf } from './types.js';

/**
 * The tasks a router infers from its backends: the {@link MergedTasks} of
 * their task collection types, so every task that any backend's types name.
 * It is `unknown` (a router that takes any task name) as soon as one backend
 * carries no task types, such as an object literal, a worker given no
 * `tasks`, or a router that is untyped itself; and for a router with no backends.
 *
 * A task several backends offer takes the definitions' types when they agree;
 * where they disagree, `createHybridCompute` does not compile (see
 * {@link TaskTypeConflicts}). A backend that knows a task by name only
 * (`tasks: ['resize']`) defers to one that has its definition.
 *
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * const backends = { local: createLocalBackend({ tasks }), worker: createWorkerBackend({ url, tasks }) };
 * type Tasks = InferredTasks<typeof backends>; // MergedTasks<typeof tasks>
 * type Registry = TaskRegistryOf<Tasks>; // { double: typeof tasks.double; greet: typeof tasks.greet; ... }
 * const compute: HybridCompute<Tasks, 'local' | 'worker'> = createHybridCompute(backends);
 * ```
 */
export type InferredTasks<Backends> = IsUntyped<Backends> extends true ? unknown : MergedTasksOf<Backends>;

/**
 * The names of the tasks whose types differ between the backends that offer
 * them (`never` when they all agree). Two definitions agree when their
 * inputs are assignable both ways, and so are their outputs.
 *
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * const local = createLocalBackend({ tasks: [defineTask('hash', (text: string) => text.length)] });
 * const worker = createWorkerBackend({ url, tasks: [defineTask('hash', (bytes: Uint8Array) => bytes.length)] });
 * type Conflicts = TaskTypeConflicts<{ local: typeof local; worker: typeof worker }>; // 'hash'
 * ```
 */
export type TaskTypeConflicts<Backends> = IsUntyped<Backends> extends true ? never : ConflictingNames<TaskRegistryOf<MergedTasksOf<Backends>>>;

/**
 * The names of the backends a router was given: what its strategy accepts
 * besides `'auto'`. A backend whose value is `undefined` is left out, as the
 * router leaves it out at run time.
 *
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * type Names = BackendNameOf<{ local: LocalBackend; worker?: WorkerBackend | undefined }>; // 'local' | 'worker'
 * ```
 */
export type BackendNameOf<Backends> = { [Key in keyof Backends]-?: [Backends[Key]] extends [undefined] ? never : Key }[keyof Backends] &
  string;

/**
 * The backends parameter of `createHybridCompute`: the backends themselves,
 * plus, when two backends type one task differently, a required member whose
 * name says which task, so that the call fails to compile with that name in
 * the message.
 *
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * // error TS2345: Property '"task 'hash' has different input or output types on different backends"' is missing ...
 * const compute = createHybridCompute({ local, worker } satisfies CheckedBackends<{ local: typeof local; worker: typeof worker }>);
 * ```
 */
export type CheckedBackends<Backends> = Backends &
  ([TaskTypeConflicts<Backends>] extends [never]
    ? unknown
    : {
        readonly [Name in TaskTypeConflicts<Backends> as `task '${Name}' has different input or output types on different backends`]: 'make the definitions agree, or type the router explicitly: createHybridCompute<typeof tasks>(...)';
      });

// No backends at all, or one that carries no task types: any name, as the seed's router.
type IsUntyped<Backends> = [keyof Backends] extends [never] ? true : unknown extends TaskTypesOfEach<Backends>[keyof Backends] ? true : false;

type TaskTypesOfEach<Backends> = { [Key in keyof Backends]-?: TaskTypesOf<NonNullable<Backends[Key]>> };

// The union of the backends' own collection types (module namespaces, arrays), wrapped: unlike a
// registry built here, it holds no type the compiler must instantiate again on every call.
type MergedTasksOf<Backends> = MergedTasks<Unwrapped<TaskTypesOfEach<Backends>[keyof Backends]>>;

type Unwrapped<Collections> = Collections extends MergedTasks<infer Inner> ? Inner : Collections;

type ConflictingNames<Registry> = { [Name in keyof Registry]: true extends Disagrees<Registry[Name]> ? Name : never }[keyof Registry];

// The usual case, one definition, is settled by identity alone; only a real union compares types.
type Disagrees<Definitions, Whole = Definitions> = Definitions extends unknown
  ? Identical<Definitions, Whole> extends true
    ? false
    : Same<TaskInput<Definitions>, TaskInput<Whole>> extends true
      ? Same<TaskOutput<Definitions>, TaskOutput<Whole>> extends true
        ? false
        : true
      : true
  : never;

type Identical<A, B> = (<Probe>() => Probe extends A ? 1 : 2) extends <Probe>() => Probe extends B ? 1 : 2 ? true : false;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
