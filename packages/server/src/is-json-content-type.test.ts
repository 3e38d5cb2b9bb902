import { describe, expect, it } from 'vitest';
import { isJsonContentType } from './is-json-content-type.js';

describe('isJsonContentType', () => {
  it('takes no header, application/json and +json types, whatever the case and parameters', () => {
    for (const header of [undefined, 'application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/problem+json', ' application/vnd.api+json ;x=1']) {
      expect(isJsonContentType(header), String(header)).toBe(true);
    }
  });

  it('refuses what a browser sends cross-origin without a preflight, and other types', () => {
    for (const header of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/json', '', 'application/jsonp']) {
      expect(isJsonContentType(header), header).toBe(false);
    }
  });
});
