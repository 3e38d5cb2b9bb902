import type { ComputeBackendLike } from '@hybridcompute/core';

/** What backends the suite can test: anything with canRun and runTask, routers included. */
export type BackendUnderTest = ComputeBackendLike;

/**
 * Declared gaps, as in keyv's storage test options: a backend states what it
 * cannot do instead of skipping tests ad hoc. Everything defaults to `true`.
 */
export interface BackendCapabilities {
  /** Honours `{ signal }`: a call rejects with `TASK_ABORTED` / `TASK_TIMEOUT` when it aborts. */
  abort?: boolean;
}

/** Options for {@link describeBackendConformance}. */
export interface BackendConformanceOptions {
  /** A fresh backend for every test, serving `conformanceTasks`. */
  createBackend(): BackendUnderTest | Promise<BackendUnderTest>;
  /** Releases a backend after its test. Must leave nothing running. */
  dispose?(backend: BackendUnderTest): void | Promise<void>;
  capabilities?: BackendCapabilities;
  /**
   * The code an unknown task rejects with: `TASK_NOT_FOUND` for a backend
   * (the default), `NO_BACKEND` for a router, which finds no backend for it.
   */
  unknownTaskCode?: 'TASK_NOT_FOUND' | 'NO_BACKEND';
  /** Milliseconds each test may take, setup and disposal included. Default 20000. */
  testTimeoutMs?: number;
}

/** Handed to each test group: the backend of the current test. */
export interface SuiteContext {
  backend(): BackendUnderTest;
  options: BackendConformanceOptions;
  capabilities: Required<BackendCapabilities>;
}
