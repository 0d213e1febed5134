import { describe, expect, it } from 'vitest';
import { boundaryOf, multipartFramingProblem } from './multipart-framing.ts';

const whole = Buffer.from('--xyz\r\nContent-Disposition: form-data; name="config"\r\n\r\n{}\r\n--xyz--\r\n');

describe('multipart framing', () => {
  it('reads plain and quoted boundaries', () => {
    expect(boundaryOf('multipart/form-data; boundary=xyz')).toBe('xyz');
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
  });

  it('accepts a whole body, and bodies that are not multipart', () => {
    expect(multipartFramingProblem('multipart/form-data; boundary=xyz', whole)).toBeUndefined();
    expect(multipartFramingProblem('application/json', Buffer.from('{'))).toBeUndefined();
    expect(multipartFramingProblem(undefined, Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses a missing boundary, a foreign boundary and a truncated body', () => {
    expect(multipartFramingProblem('multipart/form-data', whole)).toMatch(/no boundary/);
    expect(multipartFramingProblem('multipart/form-data; boundary=abc', whole)).toMatch(/no part/);
    expect(multipartFramingProblem('multipart/form-data; boundary=xyz', whole.subarray(0, whole.length - 8))).toMatch(/truncated/);
  });
});
