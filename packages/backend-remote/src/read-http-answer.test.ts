import { ComputeError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { TransportFailure, type HttpAnswer } from './http-transport.js';
import { readComputeAnswer, readTaskList } from './read-http-answer.js';

const url = new URL('http://127.0.0.1:1/compute');
const tasksUrl = new URL('http://127.0.0.1:1/tasks');
const answer = (status: number, text: string, maxConcurrency?: number): HttpAnswer => ({ status, retryAfter: undefined, text, maxConcurrency });

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('readComputeAnswer', () => {
  it('returns the result of a 2xx { result }', () => {
    expect(readComputeAnswer(answer(200, '{"result":42}'), url, 'double', 'remote')).toBe(42);
    expect(readComputeAnswer(answer(200, '{"result":null}'), url, 'double', 'remote')).toBeNull();
  });

  it('reads an error body with its code, naming the task and backend', () => {
    const error = thrown(() => readComputeAnswer(answer(422, '{"error":"bad","code":"TASK_FAILED"}'), url, 'double', 'remote'));
    expect(error).toMatchObject({ code: 'TASK_FAILED', message: 'bad', taskName: 'double', backend: 'remote' });
  });

  it.each([302, 301, 307, 0])('throws an undelivered TransportFailure for a redirect (%i)', (status) => {
    const error = thrown(() => readComputeAnswer(answer(status, ''), url, 'double', 'remote'));
    expect(error).toBeInstanceOf(TransportFailure);
    expect((error as TransportFailure).delivered).toBe(false);
    expect((error as Error).message).toContain('redirect');
  });

  it.each([
    [204, ''],
    [200, ''],
    [200, 'not json'],
    [200, '[1]'],
    [201, '{"other":1}'],
  ])('calls HTTP %i with %j a PROTOCOL_ERROR, never TASK_FAILED', (status, text) => {
    const error = thrown(() => readComputeAnswer(answer(status, text), url, 'double', 'remote'));
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'double', backend: 'remote' });
  });
});

describe('readTaskList', () => {
  it('reads the tasks and the admission limit', () => {
    expect(readTaskList(answer(200, '{"tasks":["a"],"maxConcurrency":64}'), tasksUrl, 'remote')).toEqual({ tasks: ['a'], maxConcurrency: 64, encodings: [], streaming: false });
    expect(readTaskList(answer(200, '{"tasks":["a"]}', 32), tasksUrl, 'remote')).toEqual({ tasks: ['a'], maxConcurrency: 32, encodings: [], streaming: false });
  });

  it('treats listed: false and the old null as "ask the server"', () => {
    expect(readTaskList(answer(200, '{"tasks":[],"listed":false,"maxConcurrency":8,"streaming":true}'), tasksUrl, 'remote')).toEqual({ tasks: undefined, maxConcurrency: 8, encodings: [], streaming: true });
    expect(readTaskList(answer(200, '{"tasks":null}'), tasksUrl, 'remote')).toEqual({ tasks: undefined, maxConcurrency: undefined, encodings: [], streaming: false });
  });

  it('says unsupported for a server without the route', () => {
    expect(readTaskList(answer(404, ''), tasksUrl, 'remote')).toBe('unsupported');
  });

  it('never says "Task \'\' failed"', () => {
    const error = thrown(() => readTaskList(answer(500, 'oops'), tasksUrl, 'remote')) as ComputeError;
    expect(error.message).not.toContain("Task ''");
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: undefined });
    expect(thrown(() => readTaskList(answer(401, '{"error":"no","code":"UNAUTHORIZED"}'), tasksUrl, 'remote'))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('calls a 204 or a body without tasks a PROTOCOL_ERROR, and a redirect undelivered', () => {
    expect(thrown(() => readTaskList(answer(204, ''), tasksUrl, 'remote'))).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('204') });
    expect(thrown(() => readTaskList(answer(200, '{"tasks":[1]}'), tasksUrl, 'remote'))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(thrown(() => readTaskList(answer(302, ''), tasksUrl, 'remote'))).toBeInstanceOf(TransportFailure);
  });
});
