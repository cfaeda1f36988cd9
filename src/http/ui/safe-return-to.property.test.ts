/** Properties of safeReturnTo: only same-site paths under /ui/ ever come out. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './ui-support.js';

const piece = fc.constantFrom(
  '/',
  '//',
  '\\',
  '.',
  '..',
  '%2e',
  '%2F',
  '%5C',
  '?',
  '#',
  '@',
  ':',
  'ui',
  'a',
  'é',
  ' ',
  '\t',
  '\x00',
  '\x7f',
  'https:',
  'evil.example',
  '%00',
  '\u2028',
);
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: piece, maxLength: 12 }),
  fc.string({ unit: piece, maxLength: 12 }).map((s) => `/ui/${s}`),
);
const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
const safePath = fc
  .tuple(fc.array(segment, { maxLength: 4 }), fc.option(fc.stringMatching(/^[A-Za-z0-9=&_-]{0,12}$/), { nil: undefined }))
  .map(([segs, q]) => `/ui/${segs.join('/')}${q ? `?${q}` : ''}`);

const numRuns = 400;

describe('safeReturnTo (property)', () => {
  it('returns plain /ui/ paths unchanged', () => {
    fc.assert(
      fc.property(safePath, (path) => {
        expect(safeReturnTo(path)).toBe(path);
      }),
      { numRuns },
    );
  });

  it('never throws, and anything it returns stays on this origin, under /ui/, and is a fixed point', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom('https://id.example.org', 'http://127.0.0.1:4444'), (value, origin) => {
        const out = safeReturnTo(value);
        if (out === undefined) return;
        expect(out.startsWith('/ui/')).toBe(true);
        expect(out).not.toMatch(/[\\\s\p{Cc}#]/u);
        expect(out).not.toContain('//');
        const resolved = new URL(out, origin);
        expect(resolved.origin).toBe(origin);
        expect(resolved.pathname.startsWith('/ui/')).toBe(true);
        expect(safeReturnTo(out)).toBe(out);
      }),
      { numRuns },
    );
  });

  it('refuses anything that does not begin with /ui/', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        fc.pre(!value.startsWith('/ui/'));
        expect(safeReturnTo(value)).toBeUndefined();
      }),
      { numRuns },
    );
  });
});
