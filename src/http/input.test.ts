import { describe, expect, it } from 'vitest';
import { inputProblem, MAX_INPUT_DEPTH } from './input.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('inputProblem', () => {
  it('accepts what handlers can use', () => {
    for (const ok of [undefined, null, 'text', 42, true, {}, [], { a: 'b', c: ['d', 1, null] }, nested(MAX_INPUT_DEPTH)]) {
      expect(inputProblem(ok)).toBeUndefined();
    }
  });

  it('finds a NUL wherever it is: a value, a key, an array element, deep down', () => {
    for (const bad of [
      'a\u0000',
      { a: 'b\u0000' },
      { 'k\u0000': 'v' },
      { a: ['x', 'y\u0000'] },
      { a: { b: { c: '\u0000' } } },
      [{ 'k\u0000': 1 }],
    ]) {
      expect(inputProblem(bad)).toBe('contains a NUL character');
    }
  });

  it('refuses nesting deeper than the limit, in objects and arrays alike', () => {
    expect(inputProblem(nested(MAX_INPUT_DEPTH + 1))).toBe(`is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    let array: unknown = [];
    for (let i = 0; i <= MAX_INPUT_DEPTH; i++) array = [array];
    expect(inputProblem(array)).toMatch(/nested more than/);
    // Deep enough to overflow a recursive walk: still an answer, not a crash.
    expect(inputProblem(nested(100_000))).toMatch(/nested more than/);
  });
});
