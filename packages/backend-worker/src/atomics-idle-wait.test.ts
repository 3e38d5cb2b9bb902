import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { atomicsIdleWait, offeredWake, sleepWhenIdle, wakeIdleWorker, wakeOffer, wakeRequest, type IdleWait } from './atomics-idle-wait.js';
import { wakeMessageKey } from './worker-protocol.js';

describe('the pool side', () => {
  it('takes the wake array a handshake offers, and nothing else', () => {
    const wake = new Int32Array(new SharedArrayBuffer(4));
    expect(offeredWake(wakeOffer({ wake, later: queueMicrotask, receive: () => false }))).toBe(wake);
    expect(offeredWake(wakeOffer(undefined))).toBeUndefined();
    expect(offeredWake({ [wakeMessageKey]: [0] })).toBeUndefined();
    expect(offeredWake({})).toBeUndefined();
    expect(wakeRequest).toEqual({ [wakeMessageKey]: true });
  });

  it('bumps the wake count after each message', () => {
    const wake = new Int32Array(new SharedArrayBuffer(4));
    wakeIdleWorker(wake);
    wakeIdleWorker(wake);
    expect(Atomics.load(wake, 0)).toBe(2);
  });
});

describe('atomicsIdleWait', () => {
  function onPort(eventLoopMayHoldMessages = false): { idle: IdleWait; post: (message: unknown) => void; dispatched: unknown[]; turns: (() => void)[]; close: () => void } {
    const { port1, port2 } = new MessageChannel();
    const dispatched: unknown[] = [];
    const turns: (() => void)[] = [];
    const idle = atomicsIdleWait({
      receiveMessage: () => receiveMessageOnPort(port2),
      dispatch: (message) => dispatched.push(message),
      outputPending: () => false,
      nextTurn: (callback) => turns.push(callback),
      eventLoopMayHoldMessages,
    });
    const post = (message: unknown): void => {
      port1.postMessage(message);
      wakeIdleWorker(idle.wake);
    };
    return { idle, post, dispatched, turns, close: () => port1.close() };
  }

  it('wakes on a bump and dispatches every message waiting on the port', () => {
    const { idle, post, dispatched, close } = onPort();
    post('first');
    post('second');
    expect(idle.receive()).toBe(true);
    expect(dispatched).toEqual(['first', 'second']);
    close();
  });

  it('reports a stale wake (a bump with no message) as nothing received', () => {
    const { idle, dispatched, close } = onPort();
    wakeIdleWorker(idle.wake);
    expect(idle.receive()).toBe(false);
    expect(dispatched).toEqual([]);
    close();
  });

  it('first sleeps after a timer, then in a microtask, giving the event loop a turn every 32 times', async () => {
    const { idle, turns, close } = onPort();
    let ran = 0;
    for (let index = 0; index < 64; index++) idle.later(() => ran++);
    await Promise.resolve();
    // The first after a timer (Deno reports a worker file's late error only then), 62 in microtasks, one after a turn.
    expect([ran, turns.length]).toEqual([62, 1]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ran).toBe(63);
    close();
  });

  it('on a port the event loop may read first, lets the loop turn after a wake that found nothing', () => {
    const { idle, turns, close } = onPort(true);
    const sleep = (): void => {};
    idle.later(sleep);
    wakeIdleWorker(idle.wake);
    expect(idle.receive()).toBe(true);
    expect(turns).toEqual([sleep]);
    close();
  });
});

describe('sleepWhenIdle', () => {
  function worker(busy: () => boolean): { target: EventTarget & { postMessage(): void }; receives: () => number; answered: () => void; send: (data: unknown) => void } {
    const target = Object.assign(new EventTarget(), { postMessage() {} });
    let receives = 0;
    const idleWait: IdleWait = {
      wake: new Int32Array(new SharedArrayBuffer(4)),
      later: queueMicrotask,
      receive: () => {
        receives++;
        return true;
      },
    };
    const answered = sleepWhenIdle(target as never, idleWait, busy, () => 0);
    const send = (data: unknown): void => void target.dispatchEvent(new MessageEvent('message', { data }));
    return { target, receives: () => receives, answered, send };
  }

  it('never sleeps before the pool asks for it', async () => {
    const { receives, answered, send } = worker(() => false);
    send({ id: 1, type: 'APPLY' });
    answered();
    await Promise.resolve();
    expect(receives()).toBe(0);
  });

  it('sleeps once the pool asks and every request has its answer', async () => {
    const { receives, answered, send } = worker(() => false);
    send({ [wakeMessageKey]: true });
    await Promise.resolve();
    expect(receives()).toBe(1);
    send({ id: 1, type: 'APPLY' });
    send({ id: 2, type: 'APPLY' });
    answered();
    await Promise.resolve();
    // One answer is still owed: no sleep.
    expect(receives()).toBe(1);
    answered();
    await Promise.resolve();
    expect(receives()).toBe(2);
  });

  it('stays awake while a task runs', async () => {
    let busy = true;
    const { receives, send } = worker(() => busy);
    send({ [wakeMessageKey]: true });
    await Promise.resolve();
    expect(receives()).toBe(0);
    busy = false;
    send({ [wakeMessageKey]: true });
    await Promise.resolve();
    expect(receives()).toBe(1);
  });
});
