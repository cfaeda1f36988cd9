/** Properties of form bodies and request parameters (RFC 6749 3.1, application/x-www-form-urlencoded). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OAuthError } from './errors.js';
import { MAX_PARAM_LENGTH, parseForm, type RawParams, readParams } from './params.js';

const text = fc.string({ unit: 'binary', maxLength: 20 });
// Names that trip naive objects as well as ordinary ones.
const name = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'scope'));
const pairs = fc.array(fc.tuple(name, text), { maxLength: 10 });

/** The reference reading of a body: the pairs, grouped by name in order. */
function grouped(list: [string, string][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [n, v] of list) out.set(n, [...(out.get(n) ?? []), v]);
  return out;
}

const numRuns = 300;

describe('parseForm (property)', () => {
  it('round-trips any list of pairs, keeping repeated names as arrays in order', () => {
    fc.assert(
      fc.property(pairs, (list) => {
        const parsed = parseForm(new URLSearchParams(list).toString());
        const expected = grouped(list);
        expect(Object.keys(parsed).sort()).toEqual([...expected.keys()].sort());
        for (const [n, values] of expected) expect(parsed[n]).toEqual(values.length === 1 ? values[0] : values);
        // Nothing is inherited: a body cannot reach Object.prototype.
        expect(Object.getPrototypeOf(parsed)).toBeNull();
      }),
      { numRuns },
    );
  });

  it('never throws on any body, broken percent-encoding and lone surrogates included', () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom('%', '%2', '%zz', '%E2%82', '%C0%AF', '&', '=', '+', 'a', '\ud800', '\x00'),
        maxLength: 20,
      }),
    );
    fc.assert(
      fc.property(body, (raw) => {
        const parsed = parseForm(raw);
        for (const value of Object.values(parsed)) {
          for (const v of [value].flat()) expect(typeof v).toBe('string');
        }
      }),
      { numRuns },
    );
  });
});

describe('readParams (property)', () => {
  const value = fc.oneof(
    text,
    fc.constant(''),
    fc.constant(undefined),
    fc.array(fc.oneof(text, fc.constant('')), { maxLength: 3 }),
  );
  const raw = fc.dictionary(name, value, { maxKeys: 6 });

  it('agrees with the RFC 6749 3.1 reading: empty means absent, a repeat is refused', () => {
    fc.assert(
      fc.property(raw, (input) => {
        const present = new Map<string, string>();
        let refused = false;
        for (const [n, v] of Object.entries(input)) {
          const nonEmpty = [v].flat().filter((x): x is string => x !== undefined && x !== '');
          if (nonEmpty.length > 1) refused = true;
          if (nonEmpty.length === 1) present.set(n, nonEmpty[0] as string);
        }
        let params: ReturnType<typeof readParams> | undefined;
        try {
          params = readParams(input as RawParams);
        } catch (err) {
          expect(err).toBeInstanceOf(OAuthError);
          expect((err as OAuthError).error).toBe('invalid_request');
        }
        expect(params === undefined).toBe(refused);
        if (!params) return;
        expect(params.names().sort()).toEqual([...present.keys()].sort());
        for (const [n, v] of present) {
          expect(params.has(n)).toBe(true);
          expect(params.get(n)).toBe(v);
        }
      }),
      { numRuns },
    );
  });

  it('refuses non-string values (a JSON body) and over-long values with invalid_request only', () => {
    fc.assert(
      fc.property(name, fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 3 })), (n, v) => {
        try {
          readParams({ [n]: v } as RawParams);
        } catch (err) {
          expect((err as OAuthError).error).toBe('invalid_request');
        }
      }),
      { numRuns },
    );
    fc.assert(
      fc.property(name, fc.integer({ min: 1, max: 64 }), (n, extra) => {
        expect(() => readParams({ [n]: 'x'.repeat(MAX_PARAM_LENGTH + extra) })).toThrow(OAuthError);
        expect(readParams({ [n]: 'x'.repeat(MAX_PARAM_LENGTH) }).get(n)).toHaveLength(MAX_PARAM_LENGTH);
      }),
      { numRuns: 50 },
    );
  });

  it('reads a parsed form the same as the pairs it came from', () => {
    fc.assert(
      fc.property(pairs, (list) => {
        const expected = grouped(list);
        const refused = [...expected.values()].some((vs) => vs.filter((v) => v !== '').length > 1);
        const read = () => readParams(parseForm(new URLSearchParams(list).toString()));
        if (refused) return void expect(read).toThrow(OAuthError);
        const params = read();
        for (const [n, vs] of expected) expect(params.get(n)).toBe(vs.find((v) => v !== ''));
      }),
      { numRuns },
    );
  });
});
