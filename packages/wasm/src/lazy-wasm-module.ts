import type { ReadyModule } from './call-wasm-export.js';
import { checkExports } from './check-exports.js';
import { readExportSignatures, type ModuleExports } from './read-export-signatures.js';
import type { ResolvedExportSpec } from './wasm-export-spec.js';

/** Reads the bytes a URL or a path names: `fetch` in browsers, the file system too in Node. */
export type WasmSourceLoader = (location: string | URL) => Promise<Uint8Array>;

/** Where the module comes from, once `wasmTasks` has checked its argument. */
export type ResolvedSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly exports: ModuleExports | undefined }
  | { readonly kind: 'module'; readonly module: WebAssembly.Module }
  | { readonly kind: 'location'; readonly location: string | URL };

/** The imports to instantiate with, or a function that makes them for each instance. */
export type ImportsOption = WebAssembly.Imports | (() => WebAssembly.Imports) | undefined;

interface Compiled {
  readonly module: WebAssembly.Module;
  readonly signatures: ModuleExports['signatures'];
}

/**
 * One module for the tasks of one `wasmTasks` call, in this thread: compiled
 * once, on the first call, and instantiated then; a trap throws the instance
 * away (its memory may be half-written) and the next call makes a new one
 * from the same compiled module.
 */
export class LazyWasmModule {
  readonly #source: ResolvedSource;
  readonly #specs: readonly ResolvedExportSpec[];
  readonly #imports: ImportsOption;
  readonly #load: WasmSourceLoader;
  readonly #label: string;
  #compiled: Promise<Compiled> | undefined;
  #instantiating: Promise<ReadyModule> | undefined;
  /** The instance, once there is one: calls then run synchronously. */
  ready: ReadyModule | undefined;

  constructor(source: ResolvedSource, specs: readonly ResolvedExportSpec[], imports: ImportsOption, load: WasmSourceLoader, label: string) {
    this.#source = source;
    this.#specs = specs;
    this.#imports = imports;
    this.#load = load;
    this.#label = label;
  }

  /** The instance, made on first use; concurrent first calls share one. */
  instance(): Promise<ReadyModule> {
    this.#instantiating ??= this.#instantiate().then(
      (ready) => (this.ready = ready),
      (error: unknown) => {
        // Instantiation may depend on imports that fail now and not later: try again next call.
        this.#instantiating = undefined;
        throw error;
      },
    );
    return this.#instantiating;
  }

  /** Forgets `trapped`, the instance a trap went through, so the next call starts afresh. */
  discard(trapped: ReadyModule): void {
    if (this.ready !== trapped) return;
    this.ready = undefined;
    this.#instantiating = undefined;
  }

  async #instantiate(): Promise<ReadyModule> {
    const { module, signatures } = await this.#compile();
    const imports = typeof this.#imports === 'function' ? this.#imports() : this.#imports;
    let instance: WebAssembly.Instance;
    try {
      instance = await WebAssembly.instantiate(module, imports);
    } catch (error) {
      const needed = WebAssembly.Module.imports(module).map((entry) => `${entry.module}.${entry.name} (${entry.kind})`);
      throw new Error(`wasmTasks could not instantiate ${this.#label}: ${(error as Error).message}; it imports ${needed.join(', ') || 'nothing'}`, { cause: error });
    }
    const exports = instance.exports;
    return {
      exports,
      signatures,
      memory: exports['memory'] instanceof WebAssembly.Memory ? exports['memory'] : undefined,
      alloc: typeof exports['alloc'] === 'function' ? (exports['alloc'] as (size: number) => unknown) : undefined,
      dealloc: typeof exports['dealloc'] === 'function' ? (exports['dealloc'] as (pointer: number, size: number) => unknown) : undefined,
    };
  }

  #compile(): Promise<Compiled> {
    this.#compiled ??= this.#compileOnce();
    return this.#compiled;
  }

  async #compileOnce(): Promise<Compiled> {
    const source = this.#source;
    if (source.kind === 'module') {
      const kinds = new Map(WebAssembly.Module.exports(source.module).map(({ name, kind }) => [name, kind]));
      checkExports(this.#specs, { kinds, signatures: undefined }, this.#label);
      return { module: source.module, signatures: undefined };
    }
    let bytes: Uint8Array;
    let exports: ModuleExports | undefined;
    if (source.kind === 'bytes') {
      ({ bytes, exports } = source);
    } else {
      try {
        bytes = await this.#load(source.location);
      } catch (error) {
        // A file not there yet or a network failure may pass: the next call loads again.
        this.#compiled = undefined;
        throw new Error(`wasmTasks could not load ${this.#label}: ${(error as Error).message}`, { cause: error });
      }
      exports = readExportSignatures(bytes);
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes as BufferSource);
    } catch (error) {
      throw new Error(`wasmTasks could not compile ${this.#label}: ${(error as Error).message}`, { cause: error });
    }
    const kinds = exports?.kinds ?? new Map(WebAssembly.Module.exports(module).map(({ name, kind }) => [name, kind]));
    checkExports(this.#specs, { kinds, signatures: exports?.signatures }, this.#label);
    return { module, signatures: exports?.signatures };
  }
}
