/** Properties of the canonical email and phone forms: one identifier, one account. */
import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, normalizeEmail, normalizePhone } from './identifiers.js';

const attempt = (f: () => string): string | InputError => {
  try {
    return f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
};

const atom = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}$/);
const local = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
const label = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/);
const tld = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{1,5}$/);
const email = fc
  .tuple(local, fc.array(label, { minLength: 1, maxLength: 2 }), tld)
  .map(([l, d, t]) => `${l}@${[...d, t].join('.')}`);
const messy = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'B',
      '@',
      '.',
      ' ',
      '\u200b',
      '\u202e',
      '"',
      '\x00',
      'İ',
      'ß',
      'é',
      'e\u0301',
      '-',
      '\u0430', // Cyrillic а
      '\uff45', // full-width e
      '\u3002', // ideographic full stop
      'x',
      'n',
      '中',
    ),
    maxLength: 24,
  }),
  fc.tuple(fc.string({ maxLength: 3 }), email, fc.string({ maxLength: 3 })).map(([a, e, b]) => a + e + b),
);

const numRuns = 300;

describe('normalizeEmail (property)', () => {
  it('accepts any dot-atom address, trimmed and lower-cased, whatever its case or surrounding blanks', () => {
    fc.assert(
      fc.property(email, fc.constantFrom('', ' ', '\t', '\n '), (address, blank) => {
        expect(normalizeEmail(`${blank}${address.toUpperCase()}${blank}`)).toBe(address.toLowerCase());
      }),
      { numRuns },
    );
  });

  it('throws only an InputError on the email field, and is idempotent on what it accepts', () => {
    fc.assert(
      fc.property(messy, (raw) => {
        const once = attempt(() => normalizeEmail(raw));
        if (once instanceof InputError) return void expect(once.field).toBe('email');
        expect(normalizeEmail(once)).toBe(once);
        expect(once.split('@')).toHaveLength(2);
        expect(once.length).toBeLessThanOrEqual(254);
        expect(once).not.toMatch(/[\s\p{Cc}\p{Cf}"]/u);
        expect(once).toBe(once.toLowerCase());
      }),
      { numRuns },
    );
  });

  it('refuses any address with an invisible or control character inside it', () => {
    const invisible = fc.constantFrom('\u200b', '\u200d', '\u202e', '\u2066', '\x00', '\x7f', '\u00ad', '\ufeff', ' ', '\u00a0');
    fc.assert(
      fc.property(email, invisible, fc.nat(), (address, ch, at) => {
        const i = 1 + (at % (address.length - 1));
        expect(attempt(() => normalizeEmail(address.slice(0, i) + ch + address.slice(i)))).toBeInstanceOf(InputError);
      }),
      { numRuns },
    );
  });
});

// Domain labels in scripts that IDNA maps to A-labels, mixed with ASCII.
const unicodeLabel = fc.stringMatching(/^[a-zäöüéçñøαβγдежзил中文字]{1,12}$/);
const unicodeDomain = fc
  .tuple(fc.array(unicodeLabel, { minLength: 1, maxLength: 2 }), fc.constantFrom('com', 'de', 'рф', '中国'))
  .map(([labels, top]) => [...labels, top].join('.'));
const lookalikes = fc.constantFrom('\u0430', '\u0435', '\u043e', '\u0440', '\u0441', '\u0445', '\u03bf', '\u03b9', '\u0131');

describe('email domains (property)', () => {
  it('a Unicode domain and its A-label spelling are one address, with the domain stored in ASCII', () => {
    fc.assert(
      fc.property(local, unicodeDomain, (l, d) => {
        const unicode = attempt(() => normalizeEmail(`${l}@${d}`));
        const ascii = attempt(() => normalizeEmail(`${l}@${domainToASCII(d)}`));
        const upper = attempt(() => normalizeEmail(`${l.toUpperCase()}@${d.toUpperCase()}`));
        expect(ascii).toEqual(unicode);
        expect(upper).toEqual(unicode);
        if (typeof unicode === 'string') {
          expect(unicode.split('@')[1]).toMatch(/^[a-z0-9.-]+$/);
          expect(normalizeEmail(unicode)).toBe(unicode);
        }
      }),
      { numRuns },
    );
  });

  it('never merges two local parts: what is kept is the typed one, lower-cased', () => {
    fc.assert(
      fc.property(messy, (raw) => {
        const once = attempt(() => normalizeEmail(raw));
        if (once instanceof InputError) return;
        const typed = raw.trim().normalize('NFC').toLowerCase();
        expect(once.split('@')[0]).toBe(typed.split('@')[0]);
        expect(once.split('@')[1]).toMatch(/^[a-z0-9.-]+$/);
      }),
      { numRuns },
    );
  });

  it('refuses an ASCII local part with one letter swapped for a look-alike from another script', () => {
    const letters = fc.stringMatching(/^[a-z]{2,12}$/);
    fc.assert(
      fc.property(letters, lookalikes, fc.nat(), (word, ch, at) => {
        const i = at % word.length;
        const spoof = `${word.slice(0, i)}${ch}${word.slice(i + 1)}@example.com`;
        expect(attempt(() => normalizeEmail(spoof))).toBeInstanceOf(InputError);
      }),
      { numRuns },
    );
  });
});

describe('normalizePhone (property)', () => {
  // Real mobile ranges, in E.164, from numbering plans that are stable.
  const mobile = fc.oneof(
    fc.integer({ min: 0, max: 999_999 }).map((n) => `+447400${String(n).padStart(6, '0')}`),
    fc.integer({ min: 0, max: 9_999_999 }).map((n) => `+4915${String(n).padStart(9, '0').slice(0, 9)}`),
    fc
      .integer({ min: 200, max: 999 })
      .chain((a) => fc.integer({ min: 2_000_000, max: 9_999_999 }).map((n) => `+1415${a}${n}`.slice(0, 12))),
  );
  const typed = fc
    .tuple(mobile, fc.constantFrom(' ', '-', '.', '\u00a0', ''))
    .map(([n, sep]) => n.replace(/(\d{3})(?=\d)/g, `$1${sep}`));
  const junk = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: fc.constantFrom('+', '1', '4', '7', '0', ' ', '(', ')', '-', 'x', '#', '٣', '\x00'), maxLength: 24 }),
  );

  it('gives E.164 for any way a number is typed, and is idempotent', () => {
    fc.assert(
      fc.property(typed, (raw) => {
        const once = attempt(() => normalizePhone(raw));
        if (once instanceof InputError) return void expect(once.field).toBe('phone');
        expect(once).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(once).toBe(raw.replace(/[^\d+]/g, ''));
        expect(normalizePhone(once)).toBe(once);
      }),
      { numRuns: 150 },
    );
  });

  it('accepts every UK 07400 mobile number, however it is spaced', () => {
    const uk = fc
      .tuple(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom(' ', '-', '', '\u00a0'))
      .map(([n, sep]) => `+44${sep}7400${sep}${String(n).padStart(6, '0')}`);
    fc.assert(
      fc.property(uk, (raw) => {
        expect(normalizePhone(raw)).toBe(raw.replace(/[^\d+]/g, ''));
      }),
      { numRuns: 100 },
    );
  });

  it('throws only an InputError on the phone field for anything else, and returns only E.164', () => {
    fc.assert(
      fc.property(junk, fc.constantFrom(undefined, 'GB', 'US', 'DE'), (raw, country) => {
        const once = attempt(() => normalizePhone(raw, country));
        if (once instanceof InputError) return void expect(once.field).toBe('phone');
        expect(once).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(normalizePhone(once)).toBe(once);
      }),
      { numRuns: 200 },
    );
  });
});
