import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../errors.js';
import { displayEmail, InputError, normalizeEmail, normalizePhone } from './identifiers.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('normalizeEmail', () => {
  it.each([
    ['name@example.com', 'name@example.com'],
    ['  Name@Example.COM  ', 'name@example.com'],
    ['ANN.LEE+news@Mail.Example.co.uk', 'ann.lee+news@mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@a-b.io', 'x@a-b.io'],
    ['\tuser@example.org\n', 'user@example.org'],
    ['JOSÉ@EXAMPLE.ES', 'josé@example.es'],
    ['user@bücher.de', 'user@xn--bcher-kva.de'],
    ['user@BÜCHER.de', 'user@xn--bcher-kva.de'],
    ['user@xn--bcher-kva.de', 'user@xn--bcher-kva.de'],
    // A Cyrillic "а" in the domain: a different domain from example.com, one with its A-label.
    ['x@ex\u0430mple.com', 'x@xn--exmple-4nf.com'],
    ['x@xn--exmple-4nf.com', 'x@xn--exmple-4nf.com'],
    // UTS #46 maps full-width letters and the ideographic full stop: the same DNS name.
    ['x@\uff45xample.com', 'x@example.com'],
    ['x@example\u3002com', 'x@example.com'],
    ['用户@例子.中国', '用户@xn--fsqu00a.xn--fiqs8s'],
    ['иван@пример.рф', 'иван@xn--e1afmkfd.xn--p1ai'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'plainaddress',
    '@example.com',
    'name@',
    'name@localhost',
    'name@@example.com',
    'a@b@example.com',
    'name @example.com',
    'name@exa mple.com',
    'name@example..com',
    'name@.example.com',
    'name@example.com.',
    'name@-example.com',
    'name@example-.com',
    '.name@example.com',
    'name.@example.com',
    'na..me@example.com',
    'name@10.0.0.1',
    'not-an-<email>',
    '"quoted"@example.com',
    'name@[127.0.0.1]',
    'na\u0000me@example.com',
    'na\u200bme@example.com',
    'name@exam\u202eple.com',
    'name@example.com\r\nBcc: victim@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(64)}.com`,
    `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('refuses %j', (raw) => {
    const err = inputError(() => normalizeEmail(raw));
    expect(err).toBeInstanceOf(GatehouseError);
    expect(err.field).toBe('email');
    expect(err.message).toMatch(/email address/i);
  });

  it.each([
    ['x@xn--zz.com', /not a valid domain name/],
    ['x@xn--.com', /not a valid domain name/],
    ['x@xn--a.com', /not a valid domain name/],
    ['x@a.0x10', /not a valid domain name/],
    // A zero-width joiner outside the scripts that need one (RFC 5892 CONTEXTJ).
    ['x@a\u200db.com', /email address/],
    ['x@a_b.com', /email address/],
  ])('refuses the domain of %j with a clear message', (raw, message) => {
    const err = inputError(() => normalizeEmail(raw));
    expect(err.field).toBe('email');
    expect(err.message).toMatch(message);
  });

  it.each([
    // Latin with a Cyrillic "а" (U+0430): would pass for paypal@.
    ['p\u0430ypal@example.com', /mixes letters of different alphabets/],
    // Latin with a Greek omicron.
    ['j\u03bfhn@example.com', /mixes letters of different alphabets/],
    // All Cyrillic, and every letter looks like an ASCII one: "рау" reads "pay".
    ['\u0440\u0430\u0443@example.com', /look like a to z/],
    ['\u03bf\u03b9@example.com', /look like a to z/],
    // Full-width letters and a ligature: NFKC would change them, so would some mail servers.
    ['\uff4a\uff4f\uff45@example.com', /special form/],
    ['\ufb01le@example.com', /special form/],
    // A historic script (Gothic) is not one an address here may use.
    ['\u{10330}\u{10331}@example.com', /cannot use/],
  ])('refuses the look-alike local part %j', (raw, message) => {
    expect(inputError(() => normalizeEmail(raw)).message).toMatch(message);
  });

  it('keeps a one-script internationalised local part as typed, never folded into another', () => {
    expect(normalizeEmail('ИВАН@example.com')).toBe('иван@example.com');
    expect(normalizeEmail('josé@example.com')).not.toBe(normalizeEmail('jose@example.com'));
    expect(normalizeEmail('日本語です@example.jp')).toBe('日本語です@example.jp');
  });

  it('shows a domain in Unicode only when it cannot pass for another', () => {
    expect(displayEmail('user@xn--bcher-kva.de')).toBe('user@bücher.de');
    expect(displayEmail('用户@xn--fsqu00a.xn--fiqs8s')).toBe('用户@例子.中国');
    // Mixed Latin and Cyrillic: shown as stored, so it does not read as example.com.
    expect(displayEmail('x@xn--exmple-4nf.com')).toBe('x@xn--exmple-4nf.com');
    // All-Cyrillic look-alike of an ASCII name ("раураl" for "paypal").
    const lookalike = normalizeEmail('x@\u0440\u0430\u0443\u0440\u0430l.com'.replace('l.', '\u04cf.'));
    expect(displayEmail(lookalike)).toBe(lookalike);
    expect(displayEmail('name@example.com')).toBe('name@example.com');
  });

  it('speaks plainly', () => {
    expect(inputError(() => normalizeEmail('nope')).message).toBe('Enter an email address like name@example.com.');
    expect(inputError(() => normalizeEmail('')).message).toBe('Enter your email address.');
  });

  it('accepts up to 254 characters and no more', () => {
    const at254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(at254).toHaveLength(254);
    expect(normalizeEmail(at254)).toBe(at254);
    expect(inputError(() => normalizeEmail(`${at254}m`)).message).toMatch(/too long/);
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+44 7911 123456', undefined, '+447911123456'],
    ['+447911123456', undefined, '+447911123456'],
    ['+1 (201) 555-0123', undefined, '+12015550123'],
    ['+33 6 12 34 56 78', undefined, '+33612345678'],
    ['+49 151 12345678', undefined, '+4915112345678'],
    ['+61 412 345 678', 'US', '+61412345678'],
    ['07911 123456', 'GB', '+447911123456'],
    ['(201) 555-0123', 'US', '+12015550123'],
    ['201.555.0123', 'US', '+12015550123'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['0044 7911 123456', 'FR', '+447911123456'],
  ])('%j (default %s) → %j', (raw, country, expected) => {
    expect(normalizePhone(raw, country)).toBe(expected);
  });

  it.each([
    ['', undefined],
    ['   ', undefined],
    ['07911 123456', undefined], // no country code and no default country
    ['201-555-0123', undefined],
    ['+44 7911', undefined], // too short
    ['+44 7911 1234567890', undefined], // too long
    ['+1 555 010 0123', undefined], // 555-01xx: not a valid US number
    ['+999 1234 5678', undefined], // no such country code
    ['+44 20 7946 0000', undefined], // London landline: cannot take a text
    ['+1 800 555 0100', undefined], // toll-free
    ['+44 7911 123456 ext. 12', undefined],
    ['+44 7911 123456;ext=12', undefined],
    ['call +44 7911 123456', undefined],
    ['+44 7911\n123456', undefined],
    ['++447911123456', undefined],
    ['4479111234567911123456791112345679111234567911123456', 'GB'],
  ])('refuses %j (default %s)', (raw, country) => {
    const err = inputError(() => normalizePhone(raw, country));
    expect(err.field).toBe('phone');
    expect(err.message.length).toBeGreaterThan(10);
  });

  it('asks for the country code when there is no default country', () => {
    expect(inputError(() => normalizePhone('07911 123456')).message).toMatch(/country code/);
  });

  it('says when a number cannot receive texts', () => {
    expect(inputError(() => normalizePhone('+44 20 7946 0000')).message).toMatch(/cannot receive text messages/);
  });
});
