/**
 * Whether a piece of an address can pass for another one, in the manner of UTS #39 (Unicode
 * Security Mechanisms) without its data files: the "single script" restriction level over the
 * recommended scripts of UTS #31 table 5, and a whole-script check against the ASCII letters,
 * with the look-alikes of a Latin letter listed here (the lower-case ones: callers lower-case
 * first). Used to refuse an email local part that would impersonate another, and to decide
 * whether a domain may be shown in its Unicode form.
 */

// UTS #31 table 5 (Recommended Scripts): the scripts in everyday use. A letter of any other
// script (historic, liturgical, limited use) in an address is refused rather than judged.
const RECOMMENDED = [
  'Arabic',
  'Armenian',
  'Bengali',
  'Bopomofo',
  'Cyrillic',
  'Devanagari',
  'Ethiopic',
  'Georgian',
  'Greek',
  'Gujarati',
  'Gurmukhi',
  'Han',
  'Hangul',
  'Hebrew',
  'Hiragana',
  'Kannada',
  'Katakana',
  'Khmer',
  'Lao',
  'Latin',
  'Malayalam',
  'Myanmar',
  'Oriya',
  'Sinhala',
  'Tamil',
  'Telugu',
  'Thaana',
  'Thai',
  'Tibetan',
] as const;
const SCRIPT = new Map(RECOMMENDED.map((name) => [name, new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u')]));
// Digits, punctuation and combining marks belong to every script (UTS #24 Common, Inherited).
const SHARED = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
// UTS #39 5.1: Han goes with Japanese (Hiragana, Katakana), Korean (Hangul) and Bopomofo, so
// "中文" and "日本語です" are one script each.
const AUGMENTED: Record<string, readonly string[]> = {
  Han: ['Han', 'Japanese', 'Korean', 'Chinese'],
  Hiragana: ['Hiragana', 'Japanese'],
  Katakana: ['Katakana', 'Japanese'],
  Hangul: ['Hangul', 'Korean'],
  Bopomofo: ['Bopomofo', 'Chinese'],
};

export type ScriptVerdict = 'single' | 'mixed' | 'unrecommended';

/** UTS #39 5.1: 'single' when one script (after augmentation) covers every letter and digit. */
export function scriptOf(text: string): ScriptVerdict {
  let resolved: Set<string> | undefined;
  for (const ch of text) {
    if (SHARED.test(ch)) continue;
    const scripts = new Set<string>();
    for (const [name, pattern] of SCRIPT) {
      if (pattern.test(ch)) for (const s of AUGMENTED[name] ?? [name]) scripts.add(s);
    }
    if (scripts.size === 0) return 'unrecommended';
    resolved = resolved === undefined ? scripts : new Set([...resolved].filter((s) => scripts.has(s)));
    if (resolved.size === 0) return 'mixed';
  }
  return 'single';
}

// Lower-case letters of other scripts (and unusual Latin ones) that look like an ASCII letter
// in common fonts: the entries of Unicode's confusables.txt whose target is one ASCII letter.
const ASCII_LOOKALIKES = new Set(
  [
    // Cyrillic
    'аеорсухѕіјԁԛԝһӏүԍк',
    // Greek
    'αοριυνκτχεϲϳ',
    // Armenian
    'օհսցքոռ',
    // Latin letters that are not ASCII but read as one
    'ıɑɡɩɪʏǀſꞵɒ',
  ].join(''),
);

/**
 * Whether every non-ASCII character of `text` reads as an ASCII letter, so the whole can pass
 * for an ASCII string (UTS #39 5.2, whole-script confusable, with Latin as the target): "рау"
 * in Cyrillic for "pay". `text` is lower-cased; pure ASCII is not a look-alike of itself.
 */
export function passesForAscii(text: string): boolean {
  let foreign = false;
  for (const ch of text) {
    if (ch <= '\x7f') continue;
    if (!ASCII_LOOKALIKES.has(ch)) return false;
    foreign = true;
  }
  return foreign;
}
