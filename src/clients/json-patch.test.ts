import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.js';

describe('JSON Patch (RFC 6902)', () => {
  const doc = { client_name: 'a', redirect_uris: ['https://a/cb'], metadata: { x: 1 } };

  it('adds, replaces, removes and tests without touching the input', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/client_name', value: 'b' },
      { op: 'add', path: '/redirect_uris/-', value: 'https://b/cb' },
      { op: 'add', path: '/metadata/y', value: 2 },
      { op: 'remove', path: '/metadata/x' },
      { op: 'test', path: '/client_name', value: 'b' },
    ]);
    expect(out).toEqual({ client_name: 'b', redirect_uris: ['https://a/cb', 'https://b/cb'], metadata: { y: 2 } });
    expect(doc.client_name).toBe('a');
  });

  it.each([
    [[{ op: 'replace', path: '/nope', value: 1 }], 'does not exist'],
    [[{ op: 'remove', path: '/redirect_uris/5' }], 'does not exist'],
    [[{ op: 'test', path: '/client_name', value: 'z' }], 'failed'],
    [[{ op: 'move', path: '/a' }], 'not supported'],
    [[{ op: 'add', path: 'no-slash', value: 1 }], 'not a JSON pointer'],
    [[{ op: 'add', path: '/__proto__/polluted', value: 1 }], 'cannot be patched'],
    // Found by the property tests: Number('') is 0 and "toString" is inherited by every object.
    [[{ op: 'add', path: '/redirect_uris/', value: 'https://c/cb' }], 'Bad index'],
    [[{ op: 'add', path: '/redirect_uris/00', value: 'https://c/cb' }], 'Bad index'],
    [[{ op: 'remove', path: '/redirect_uris/ 0' }], 'does not exist'],
    [[{ op: 'replace', path: '/toString', value: 1 }], 'does not exist'],
    [[{ op: 'remove', path: '/hasOwnProperty' }], 'does not exist'],
    [[{ op: 'add', path: '/toString/x', value: 1 }], 'does not exist'],
  ])('refuses %j', (ops, message) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
