/** Properties of the RFC 6902 JSON Patch subset of PATCH /admin/clients/:id. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../oauth/errors.js';
import { applyJsonPatch, type JsonPatchOperation } from './json-patch.js';

// RFC 6901 section 3: "~" is written "~0" and "/" is written "~1".
const pointerToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('~', '/', '~1', '~0', '~01', 'a/b', '', '-', '0'));
const doc = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) as fc.Arbitrary<Record<string, unknown>>;
const anyPath = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc
    .array(fc.oneof(key, fc.constantFrom('__proto__', 'constructor', 'prototype', '01', '-1', '1e0', ' 1', '')), { maxLength: 3 })
    .map((k) => `/${k.join('/')}`),
);
const anyOp: fc.Arbitrary<JsonPatchOperation> = fc.record({
  op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'test', 'move', 'copy'), fc.string({ maxLength: 6 })),
  path: anyPath,
  value: fc.jsonValue({ maxDepth: 2 }),
});

const numRuns = 300;

describe('applyJsonPatch (property)', () => {
  it('throws only invalid_request, never changes its input, never touches Object.prototype', () => {
    fc.assert(
      fc.property(doc, fc.array(anyOp, { maxLength: 4 }), (document, operations) => {
        const before = structuredClone(document);
        try {
          const out = applyJsonPatch(document, operations) as Record<string, unknown>;
          expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        } catch (err) {
          expect(err).toBeInstanceOf(OAuthError);
          expect((err as OAuthError).error).toBe('invalid_request');
        }
        expect(document).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.hasOwn(Object.prototype, 'value')).toBe(false);
      }),
      { numRuns },
    );
  });

  it('reads escaped pointers back to the exact key: add, test, then remove restores the document', () => {
    fc.assert(
      fc.property(doc, key, fc.jsonValue({ maxDepth: 2 }), (document, k, value) => {
        fc.pre(!(k in document) && !['__proto__', 'constructor', 'prototype'].includes(k));
        const path = `/${pointerToken(k)}`;
        const added = applyJsonPatch(document, [{ op: 'add', path, value }]) as Record<string, unknown>;
        expect(Object.keys(added)).toContain(k);
        expect(added[k]).toEqual(value);
        applyJsonPatch(added, [{ op: 'test', path, value }]);
        expect(applyJsonPatch(added, [{ op: 'remove', path }])).toEqual(document);
      }),
      { numRuns },
    );
  });

  it('replace needs the member to exist; add then replace equals add of the final value', () => {
    fc.assert(
      fc.property(doc, key, fc.jsonValue({ maxDepth: 1 }), fc.jsonValue({ maxDepth: 1 }), (document, k, a, b) => {
        fc.pre(!(k in document) && !['__proto__', 'constructor', 'prototype'].includes(k));
        const path = `/${pointerToken(k)}`;
        expect(() => applyJsonPatch(document, [{ op: 'replace', path, value: b }])).toThrow(OAuthError);
        const twice = applyJsonPatch(document, [
          { op: 'add', path, value: a },
          { op: 'replace', path, value: b },
        ]);
        expect(twice).toEqual(applyJsonPatch(document, [{ op: 'add', path, value: b }]));
      }),
      { numRuns },
    );
  });

  it('indexes arrays only by the RFC 6901 array-index grammar (0 or digits without a leading zero, or "-")', () => {
    const list = fc.array(fc.integer(), { maxLength: 5 });
    const index = fc.oneof(
      fc.nat({ max: 7 }).map(String),
      fc.constantFrom('', '-', '01', '00', '-1', '1e0', ' 1', '1 ', '0x1', '1.0', '+1', 'Infinity'),
    );
    fc.assert(
      fc.property(list, index, fc.integer(), (items, i, value) => {
        const valid = i === '-' || (/^(0|[1-9][0-9]*)$/.test(i) && Number(i) <= items.length);
        const add = () => applyJsonPatch({ list: items }, [{ op: 'add', path: `/list/${i}`, value }]) as { list: number[] };
        if (!valid) return void expect(add).toThrow(OAuthError);
        const at = i === '-' ? items.length : Number(i);
        expect(add().list).toEqual([...items.slice(0, at), value, ...items.slice(at)]);
      }),
      { numRuns },
    );
  });
});
