import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { listOf, type Parser, wholeNumber } from './parsers.js';

describe('listOf', () => {
  const digit: Parser<number> = (raw, variable) => {
    if (!/^\d$/.test(raw)) throw new ConfigError(variable, `"${raw}" is not a digit`);
    return Number(raw);
  };

  it('reads every comma-separated entry with the entry parser, skipping empty ones', () => {
    expect(listOf(digit)(' 1, 2,,3 ', 'DIGITS')).toEqual([1, 2, 3]);
    expect(listOf(wholeNumber(1, 9))('4,5', 'N')).toEqual([4, 5]);
    expect(listOf(digit)(' , ', 'DIGITS')).toEqual([]);
  });

  it("throws the entry parser's error, naming the variable", () => {
    expect(() => listOf(digit)('1,x', 'DIGITS')).toThrow(new ConfigError('DIGITS', '"x" is not a digit'));
  });
});
