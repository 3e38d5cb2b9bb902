import { describe, expect, it } from 'vitest';
import { invalidArgumentError } from './invalid-argument-error.js';

describe('invalidArgumentError', () => {
  it('is a TypeError with code INVALID_REQUEST and the message given', () => {
    const error = invalidArgumentError('url must be a string');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('url must be a string');
  });
});
