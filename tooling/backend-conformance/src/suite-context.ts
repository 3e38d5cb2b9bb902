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
  /** Hands `onProgress` every value a task reports, in order, before the result. */
  progress?: boolean;
  /**
   * Has `streamTask`: chunks in order, a break that stops the task where it
   * runs, at most `highWaterMark` chunks on their way. The backend must run
   * the fixture tasks in one thread or process (a pool of one worker), since
   * the tests look at a stream's state through `streamProbe`. Declared
   * `false`, the backend must still run a streaming task with `runTask`
   * (its generator's return value), and refuse `streamTask` with
   * `INVALID_REQUEST` on the first step.
   */
  streaming?: boolean;
  /**
   * How a streaming backend holds back a producer whose reader stops:
   * `'chunks'` (the default) counts chunks, at most `highWaterMark` on their
   * way; `'transport'` leaves it to the transport's own backpressure (HTTP:
   * TCP), so the producer stops once the connection's buffers are full, a
   * bound in bytes rather than chunks.
   */
  streamBackpressure?: 'chunks' | 'transport';
  /** Has `close()`, after which every call rejects with `BACKEND_UNAVAILABLE`. */
  close?: boolean;
  /**
   * Takes credentials: a factory for the same backend with wrong ones (a bad
   * token), whose calls must reject with `UNAUTHORIZED`. Off when absent.
   */
  wrongCredentials?: (() => BackendUnderTest | Promise<BackendUnderTest>) | false;
  /**
   * Calls to send at once in the burst test, where the backend has an
   * admission limit to respect (a server's `maxConcurrency`). Off when absent.
   */
  burst?: number | false;
  /**
   * What values the backend carries: `'structured-clone'` (the default: the
   * whole set comes back as `structuredClone` gives it) or `'json'` (values
   * JSON would change are refused with `INVALID_REQUEST` before the call leaves).
   */
  values?: 'structured-clone' | 'json';
  /** Carries a 16 MiB typed array and an object of 100,000 keys. Default `true`. */
  largeValues?: boolean;
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
  /**
   * The `backend` every error of the backend under test must name; without
   * it, the suite checks only that errors name some backend.
   */
  backendName?: string;
  /** Milliseconds each test may take, setup and disposal included. Default 20000. */
  testTimeoutMs?: number;
}

/** Handed to each test group: the backend of the current test. */
export interface SuiteContext {
  backend(): BackendUnderTest;
  options: BackendConformanceOptions;
  capabilities: Required<Pick<BackendCapabilities, 'abort' | 'close' | 'progress' | 'streaming'>> & BackendCapabilities;
}
