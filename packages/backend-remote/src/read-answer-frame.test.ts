import { describe, expect, it } from 'vitest';
import { readAnswerFrame, textOfFrame } from './read-answer-frame.js';

describe('readAnswerFrame', () => {
  it('reads results and errors by their numeric id', () => {
    expect(readAnswerFrame('{"id":1,"result":42}')).toEqual({ kind: 'result', id: 1, result: 42 });
    expect(readAnswerFrame('{"id":2,"result":null}')).toEqual({ kind: 'result', id: 2, result: null });
    expect(readAnswerFrame('{"id":3,"error":"no","code":"TASK_FAILED"}')).toMatchObject({ kind: 'error', id: 3, frame: { code: 'TASK_FAILED' } });
  });

  it('decodes JSON in a binary frame, as an ArrayBuffer or a typed array', () => {
    const bytes = new TextEncoder().encode('{"id":4,"result":"binary"}');
    expect(readAnswerFrame(bytes)).toEqual({ kind: 'result', id: 4, result: 'binary' });
    expect(readAnswerFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).toEqual({ kind: 'result', id: 4, result: 'binary' });
    expect(textOfFrame([new TextEncoder().encode('{"a"'), new TextEncoder().encode(':1}')])).toBe('{"a":1}');
  });

  it('calls a frame for a known id without result or string error garbled', () => {
    expect(readAnswerFrame('{"id":5,"other":1}')).toMatchObject({ kind: 'garbled', id: 5 });
    expect(readAnswerFrame('{"id":5,"error":{"x":1}}')).toMatchObject({ kind: 'garbled', id: 5 });
  });

  it('reads a frame of only an id as a task that returned undefined, which JSON leaves out', () => {
    expect(readAnswerFrame('{"id":5}')).toEqual({ kind: 'result', id: 5, result: undefined });
  });

  it('ignores a duplicate-id refusal, which has no id on purpose', () => {
    expect(readAnswerFrame('{"duplicateId":1,"error":"duplicate","code":"INVALID_REQUEST"}')).toEqual({ kind: 'ignored' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"x"'],
    ['a string id', '{"id":"1","result":2}'],
    ['a null id', '{"id":null,"error":"bad frame","code":"INVALID_REQUEST"}'],
    ['no id', '{"result":2}'],
    ['a fractional id', '{"id":1.5,"result":2}'],
  ])('finds no call in %s', (_label, text) => {
    expect(readAnswerFrame(text).kind).toBe('unidentifiable');
  });

  it('finds no call in data that is neither text nor bytes', () => {
    expect(readAnswerFrame({})).toMatchObject({ kind: 'unidentifiable' });
  });
});
