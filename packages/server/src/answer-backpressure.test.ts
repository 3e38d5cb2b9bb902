import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnswerBackpressure, maxWaitingPerConnection, type BackpressuredConnection } from './answer-backpressure.js';

/** A connection whose unsent bytes the test sets, recording what backpressure did to it. */
function connection(): BackpressuredConnection & { unsent: number; events: string[] } {
  const state = {
    unsent: 0,
    events: [] as string[],
    unsentBytes: () => state.unsent,
    pause: () => state.events.push('pause'),
    resume: () => state.events.push('resume'),
    drop: () => state.events.push('drop'),
  };
  return state;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AnswerBackpressure', () => {
  it('starts calls at once while the connection is under its bound', () => {
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 5_000);
    const started: number[] = [];
    for (let index = 0; index < 3; index++) backpressure.submit(() => started.push(index));
    // Before any answer the estimate is an eighth of the bound: 3 calls fit.
    expect(started).toEqual([0, 1, 2]);
    expect(backpressure.running).toBe(3);
    expect(socket.events).toEqual([]);
  });

  it('holds calls while their estimated answers would pass the bound, pausing, and starts them in order as answers drain', () => {
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 5_000);
    const started: number[] = [];
    backpressure.submit(() => started.push(0));
    backpressure.answered(600);
    socket.unsent = 600;
    // The estimate moves towards 600: two more calls would pass 1,000 bytes.
    for (let index = 1; index <= 4; index++) backpressure.submit(() => started.push(index));
    expect(started.length).toBeLessThan(5);
    expect(backpressure.paused).toBe(true);
    expect(socket.events).toEqual(['pause']);
    const heldBack = backpressure.waiting;
    expect(heldBack).toBeGreaterThan(0);
    // The client reads: the bytes leave, and the running calls finish with small answers.
    socket.unsent = 0;
    while (backpressure.running > 0) backpressure.answered(10);
    backpressure.drained();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(backpressure.waiting).toBe(0);
    expect(socket.events).toEqual(['pause', 'resume']);
  });

  it('pauses while the unsent bytes alone pass the bound, even with nothing running', () => {
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 5_000);
    socket.unsent = 5_000;
    let ran = false;
    backpressure.submit(() => (ran = true));
    expect(ran).toBe(false);
    expect(backpressure.paused).toBe(true);
    socket.unsent = 900;
    backpressure.drained();
    expect(ran).toBe(true);
    backpressure.answered(100);
    expect(socket.events).toEqual(['pause', 'resume']);
  });

  it('drops a connection that stays paused with nothing leaving for bufferedTimeout; progress resets the clock', () => {
    vi.useFakeTimers();
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 5_000);
    socket.unsent = 2_000;
    backpressure.submit(() => undefined);
    vi.advanceTimersByTime(4_000);
    // Some bytes left for the kernel: the client is slow, not gone.
    socket.unsent = 1_500;
    backpressure.drained();
    vi.advanceTimersByTime(4_000);
    expect(socket.events).toEqual(['pause']);
    vi.advanceTimersByTime(1_000);
    expect(socket.events).toEqual(['pause', 'drop']);
    // Dropped: nothing more starts.
    let ran = false;
    backpressure.submit(() => (ran = true));
    expect(ran).toBe(false);
  });

  it('forgets what waits and its timer on close', () => {
    vi.useFakeTimers();
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 5_000);
    socket.unsent = 2_000;
    let ran = false;
    backpressure.submit(() => (ran = true));
    backpressure.close();
    socket.unsent = 0;
    backpressure.drained();
    vi.advanceTimersByTime(10_000);
    expect(ran).toBe(false);
    expect(socket.events).toEqual(['pause']);
  });

  it('drops a connection at once when more requests wait than maxWaitingPerConnection, and starts none of them', () => {
    const socket = connection();
    const backpressure = new AnswerBackpressure(socket, 1_000, 60_000);
    socket.unsent = 2_000;
    let started = 0;
    for (let index = 0; index < maxWaitingPerConnection; index++) backpressure.submit(() => started++);
    expect(backpressure.waiting).toBe(maxWaitingPerConnection);
    expect(socket.events).toEqual(['pause']);
    backpressure.submit(() => started++);
    expect(socket.events).toEqual(['pause', 'drop']);
    expect(backpressure.waiting).toBe(0);
    socket.unsent = 0;
    backpressure.drained();
    expect(started).toBe(0);
  });
});
