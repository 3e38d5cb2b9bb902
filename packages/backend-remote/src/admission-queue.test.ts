import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from './admission-queue.js';

describe('AdmissionQueue', () => {
  it('admits up to the limit, then queues in order', () => {
    const queue = new AdmissionQueue<string>(2);
    expect(queue.tryAdmit()).toBe(true);
    expect(queue.tryAdmit()).toBe(true);
    expect(queue.tryAdmit()).toBe(false);
    queue.enqueue('a');
    queue.enqueue('b');
    expect(queue.queued).toBe(2);
    expect(queue.admitNext()).toBeUndefined();
    queue.finished();
    expect(queue.admitNext()).toBe('a');
    expect(queue.inFlight).toBe(2);
    expect(queue.tryAdmit()).toBe(false);
  });

  it('never lets a newcomer pass a waiting call', () => {
    const queue = new AdmissionQueue<string>(1);
    expect(queue.tryAdmit()).toBe(true);
    queue.enqueue('waiting');
    queue.finished();
    expect(queue.tryAdmit()).toBe(false);
    expect(queue.admitNext()).toBe('waiting');
  });

  it('takes an advertised limit, ignoring nonsense', () => {
    const queue = new AdmissionQueue<string>(256);
    queue.learn(0);
    queue.learn(Number.NaN);
    queue.learn(2.5);
    expect(queue.advertised).toBe(false);
    queue.learn(64);
    expect(queue.limit).toBe(64);
    expect(queue.advertised).toBe(true);
  });

  it('puts a refused call first and holds the queue until another call finishes', () => {
    const queue = new AdmissionQueue<string>(4);
    queue.learn(4);
    queue.tryAdmit();
    queue.tryAdmit();
    queue.enqueue('later');
    expect(queue.refused('refused')).toBe(true);
    expect(queue.inFlight).toBe(1);
    expect(queue.admitNext()).toBeUndefined();
    queue.finished();
    expect(queue.admitNext()).toBe('refused');
    expect(queue.admitNext()).toBe('later');
    expect(queue.limit).toBe(4);
  });

  it('hands a refusal back when no other call could wake it, and shrinks an unadvertised limit', () => {
    const lone = new AdmissionQueue<string>(8);
    lone.tryAdmit();
    expect(lone.refused('x')).toBe(false);
    expect(lone.queued).toBe(0);
    const guessed = new AdmissionQueue<string>(8);
    for (let index = 0; index < 5; index++) guessed.tryAdmit();
    expect(guessed.refused('y')).toBe(true);
    expect(guessed.limit).toBe(4);
  });

  it('ends a hold when the last call in flight is refused too, so that the held calls can be woken', () => {
    const queue = new AdmissionQueue<string>(2);
    queue.learn(2);
    queue.tryAdmit();
    queue.tryAdmit();
    queue.enqueue('later');
    expect(queue.refused('first')).toBe(true);
    expect(queue.admitNext()).toBeUndefined();
    // The other call is refused as well: nothing of ours is in flight there to end the hold.
    expect(queue.refused('second')).toBe(false);
    expect(queue.inFlight).toBe(0);
    expect(queue.admitNext()).toBe('first');
    expect(queue.admitNext()).toBe('later');
  });

  it('removes a waiting call and drains the rest', () => {
    const queue = new AdmissionQueue<string>(1);
    queue.tryAdmit();
    queue.enqueue('a');
    queue.enqueue('b');
    expect(queue.remove('a')).toBe(true);
    expect(queue.remove('a')).toBe(false);
    expect(queue.drain()).toEqual(['b']);
    expect(queue.queued).toBe(0);
  });
});
