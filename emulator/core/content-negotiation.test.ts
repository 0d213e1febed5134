import { describe, expect, it } from 'vitest';
import { acceptsAny } from './content-negotiation.ts';

describe('acceptsAny', () => {
  const json = ['application/json'];
  it.each([
    [undefined, true], ['', true], ['*/*', true], ['application/*', true], ['application/json', true],
    ['Application/JSON; charset=utf-8', true], ['application/json;q=0.5, text/html', true], ['text/html, */*;q=0.1', true],
    ['text/html', false], ['application/json;q=0', false], ['application/json;q=0, */*', false], ['image/*, text/*', false],
    ['application/xml', false], ['*/*;q=0', false], ['garbage', true],
  ])('Accept %j admits JSON: %s', (accept, expected) => {
    expect(acceptsAny(accept, json)).toBe(expected);
  });
  it('admits when any produced type is acceptable', () => {
    expect(acceptsAny('text/csv', ['application/json', 'text/csv'])).toBe(true);
  });
});
