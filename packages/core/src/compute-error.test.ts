import { describe, expect, it } from 'vitest';
import { ComputeError, computeErrorCodes } from './compute-error.js';

describe('ComputeError', () => {
  it('is an Error with a code, task, backend and cause', () => {
    const cause = new RangeError('too big');
    const error = new ComputeError({ code: 'TASK_FAILED', message: 'failed', taskName: 'resize', backend: 'worker', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ComputeError);
    expect(error).toMatchObject({ name: 'ComputeError', code: 'TASK_FAILED', message: 'failed', taskName: 'resize', backend: 'worker' });
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('ComputeError: failed');
  });

  it('writes a default message from its code, task and backend', () => {
    expect(new ComputeError({ code: 'QUEUE_FULL', taskName: 'hash', backend: 'worker' }).message).toBe(
      "QUEUE_FULL for task 'hash' on backend 'worker'",
    );
    expect(new ComputeError({ code: 'UNAUTHORIZED' }).message).toBe('UNAUTHORIZED');
  });

  it('has no cause property unless one is given', () => {
    expect('cause' in new ComputeError({ code: 'NO_BACKEND' })).toBe(false);
  });

  it('is recognised by isInstance across copies of core, by its Symbol.for marker', () => {
    const marker = Symbol.for('@hybridcompute/core.ComputeError');
    class OtherCopyError extends Error {}
    Object.defineProperty(OtherCopyError.prototype, marker, { value: true });
    expect(ComputeError.isInstance(new OtherCopyError('x'))).toBe(true);
    expect(ComputeError.isInstance(new ComputeError({ code: 'NO_BACKEND' }))).toBe(true);
    for (const value of [new Error('x'), { code: 'NO_BACKEND' }, null, undefined, 'ComputeError', 7]) {
      expect(ComputeError.isInstance(value)).toBe(false);
    }
  });

  it('round-trips through JSON with code, message, task, backend and the cause chain', () => {
    const root = Object.assign(new Error('ENOSPC: disk full'), { code: 'ENOSPC' });
    const middle = new TypeError('write failed', { cause: root });
    const error = new ComputeError({ code: 'TASK_FAILED', message: 'save failed', taskName: 'save', backend: 'remote', cause: middle });
    const copy = ComputeError.fromJSON(JSON.parse(JSON.stringify(error)));
    expect(ComputeError.isInstance(copy)).toBe(true);
    expect(copy).toMatchObject({ name: 'ComputeError', code: 'TASK_FAILED', message: 'save failed', taskName: 'save', backend: 'remote' });
    const cause = copy.cause as Error & { cause: Error & { code: string } };
    expect(cause).toBeInstanceOf(Error);
    expect(cause).toMatchObject({ name: 'TypeError', message: 'write failed' });
    expect(cause.cause).toMatchObject({ name: 'Error', message: 'ENOSPC: disk full', code: 'ENOSPC' });
  });

  it('leaves stacks out of JSON unless asked', () => {
    const error = new ComputeError({ code: 'TASK_FAILED', cause: new Error('inner') });
    expect(JSON.stringify(error)).not.toContain('at ');
    const withStack = error.toJSON({ includeStack: true });
    expect(withStack.stack).toContain('ComputeError');
    expect(withStack.cause?.stack).toContain('Error: inner');
    expect(ComputeError.fromJSON(withStack).stack).toBe(error.stack);
  });

  it('serialises non-Error causes and cyclic cause chains without hanging', () => {
    expect(new ComputeError({ code: 'TASK_FAILED', cause: 'a string' }).toJSON().cause).toEqual({ name: 'Error', message: 'a string' });
    const cyclic = new Error('loop') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    const json = new ComputeError({ code: 'TASK_FAILED', cause: cyclic }).toJSON();
    let depth = 0;
    for (let link = json.cause; link !== undefined; link = link.cause) depth++;
    expect(depth).toBe(8);
  });

  it('keeps a nested ComputeError cause whole across the round trip', () => {
    const inner = new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'worker died', taskName: 'hash', backend: 'worker' });
    const outer = new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'all down', taskName: 'hash', cause: inner });
    const copy = ComputeError.fromJSON(JSON.parse(JSON.stringify(outer)));
    expect(ComputeError.isInstance(copy.cause)).toBe(true);
    expect(copy.cause).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: 'worker died', taskName: 'hash', backend: 'worker' });
  });

  it('never throws while serialising, whatever the cause', () => {
    const nullPrototype = Object.create(null) as object;
    expect(new ComputeError({ code: 'TASK_FAILED', cause: nullPrototype }).toJSON().cause).toEqual({
      name: 'Error',
      message: '[object Object]',
    });
    const selfCaused = new ComputeError({ code: 'TASK_FAILED', message: 'me again' });
    Object.defineProperty(selfCaused, 'cause', { value: selfCaused });
    expect(JSON.stringify(selfCaused).match(/me again/g)).toHaveLength(9);
  });

  it('serialises causes that throw when read, and tolerates toJSON(null)', () => {
    const getterThrows = Object.defineProperty(new Error('x'), 'message', {
      get() {
        throw new Error('getter');
      },
    });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const cause of [getterThrows, revoked]) {
      expect(new ComputeError({ code: 'TASK_FAILED', cause }).toJSON().cause).toEqual({
        name: 'Error',
        message: '[a cause that could not be read]',
      });
    }
    expect(new ComputeError({ code: 'NO_BACKEND', message: 'm' }).toJSON(null as never)).toEqual({ name: 'ComputeError', code: 'NO_BACKEND', message: 'm' });
  });

  it('reads hostile JSON as PROTOCOL_ERROR instead of throwing', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(ComputeError.fromJSON(revoked).code).toBe('PROTOCOL_ERROR');
  });

  it('serialises a marked cause with an unknown code as a plain cause', () => {
    const marker = Symbol.for('@hybridcompute/core.ComputeError');
    const foreign = Object.assign(new Error('from a newer core'), { code: 'RATE_LIMITED', taskName: 42, [marker]: true });
    const json = new ComputeError({ code: 'TASK_FAILED', cause: foreign }).toJSON();
    expect(json.cause).toEqual({ name: 'Error', message: 'from a newer core', code: 'RATE_LIMITED' });
  });

  it('stops at the depth limit on hostile, deeply nested JSON', () => {
    let json: Record<string, unknown> = { name: 'ComputeError', code: 'TASK_FAILED', message: 'leaf' };
    for (let depth = 0; depth < 50_000; depth++) json = { name: 'ComputeError', code: 'TASK_FAILED', message: `level ${depth}`, cause: json };
    const error = ComputeError.fromJSON(json);
    let links = 0;
    for (let link: unknown = error.cause; link !== undefined; link = (link as Error).cause) links++;
    expect(links).toBe(8);
  });

  it('keeps the message of an error with a code it does not know, from a newer peer', () => {
    const error = ComputeError.fromJSON({ name: 'ComputeError', code: 'RATE_LIMITED', message: 'slow down' });
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toBe('Received an error that is not a serialized ComputeError: slow down');
  });

  it('turns anything that is not a serialised ComputeError into PROTOCOL_ERROR', () => {
    for (const value of [null, 'boom', 42, {}, { code: 'NOT_A_CODE', message: 'x' }, { code: 'TASK_FAILED' }]) {
      const error = ComputeError.fromJSON(value);
      expect(error.code).toBe('PROTOCOL_ERROR');
      expect(error.cause).toBe(value);
    }
  });

  it('ignores __proto__ and wrongly typed fields in JSON', () => {
    const json = JSON.parse('{"code":"TASK_FAILED","message":"m","taskName":5,"__proto__":{"polluted":true},"cause":{"__proto__":{"x":1},"message":7}}');
    const error = ComputeError.fromJSON(json);
    expect(error.taskName).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((error.cause as Error).message).toBe('');
  });

  it('lists every code once', () => {
    expect(new Set(computeErrorCodes).size).toBe(10);
    expect(Object.isFrozen(computeErrorCodes)).toBe(true);
  });
});
