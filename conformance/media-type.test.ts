// Media types compare case-insensitively, without their parameters (RFC 9110 §8.3.1).
import { describe, expect, it } from 'vitest';
import { contentEntry, isJsonMediaType, mediaTypeOf } from './media-type.ts';

describe('media types', () => {
  it('are read lower-cased and without parameters', () => {
    expect(mediaTypeOf('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeOf(['Text/Plain ;charset=utf-8'])).toBe('text/plain');
    expect(mediaTypeOf(undefined)).toBe('');
    expect(isJsonMediaType('Application/Problem+JSON')).toBe(true);
    expect(isJsonMediaType('text/json')).toBe(false);
  });

  it('find their entry in a spec\'s content map: exact in any case, then a range, then */*', () => {
    const content = { 'Application/JSON': 1, 'audio/*': 2, '*/*': 3 };
    expect(contentEntry(content, 'application/json')).toEqual({ key: 'Application/JSON', value: 1 });
    expect(contentEntry(content, 'audio/wav')).toEqual({ key: 'audio/*', value: 2 });
    expect(contentEntry(content, 'text/html')).toEqual({ key: '*/*', value: 3 });
    expect(contentEntry({ 'application/json': 1 }, 'text/html')).toBeUndefined();
  });
});
