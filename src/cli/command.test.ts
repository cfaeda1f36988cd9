import { describe, expect, it } from 'vitest';
import { tabulate } from './command.js';

describe('tabulate', () => {
  it('prints one tab-separated line per item', () => {
    expect(
      tabulate(
        [
          { a: 1, b: 'x' },
          { a: 2, b: '' },
        ],
        'none',
        (i) => [String(i.a), i.b],
      ),
    ).toBe('1\tx\n2\t');
  });

  it('says so when there is nothing to list', () => {
    expect(tabulate([], 'no clients', () => ['never'])).toBe('no clients');
  });
});
