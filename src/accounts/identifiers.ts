/**
 * The two identifiers a person signs in with, in one canonical form each, so that one
 * address is one account and one rate-limit bucket however it was typed:
 * - email: trimmed and lower-cased as a whole (strictly, RFC 5321 lets the local part be
 *   case-sensitive, but no mailbox provider in use treats it so, and two accounts for
 *   `Ann@x.org` and `ann@x.org` would be worse), its domain in ASCII (IDNA) form;
 * - phone: E.164 (`+14155550123`), the form SMS and WhatsApp providers expect.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { type CountryCode, type NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { GatehouseError } from '../errors.js';
import { passesForAscii, scriptOf } from './confusables.js';

/** Bad input in one form field; `message` is written to be shown next to that field. */
export class InputError extends GatehouseError {
  override name = 'InputError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid_request', message);
  }
}

// RFC 5321 4.5.3.1: a path is at most 256 octets including the angle brackets, so 254 for
// the address; a local part at most 64 octets, a domain 253 (RFC 1035 2.3.4), a label 63.
const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

// The RFC 5322 dot-atom characters (no quoted local parts: nobody types them and they are a
// classic injection vector), plus letters and digits of any script for internationalised
// addresses (RFC 6531).
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
// What is left of a domain once in ASCII form: letters, digits and inner hyphens (RFC 1123 2.1).
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Whitespace, control and format characters (zero-width spaces, bidi overrides) never
// belong in an address and make look-alikes.
const INVISIBLE = /[\s\p{Cc}\p{Cf}]/u;

const emailExample = 'Enter an email address like name@example.com.';

/**
 * The canonical form of an email address, or an InputError on field `email`.
 *
 * The domain is stored in its ASCII form (RFC 5890 A-labels, by UTS #46 as browsers and mail
 * software resolve names): `x@exаmple.com`, typed with a Cyrillic "а", and
 * `x@xn--exmple-4nf.com` are one DNS name, so one mailbox, one account and one limit bucket.
 * The ASCII form is also what every mail server accepts and what shows a look-alike for what
 * it is; displayEmail gives the Unicode form back where it is safe to show.
 *
 * The local part is not the DNS's to map: whether a server folds `ｊｏｅ` into `joe` is its own
 * business, so mapping it here could merge two real mailboxes (or split one). Instead a
 * non-ASCII local part that could pass for another address is refused, in the manner of
 * UTS #39: compatibility forms (full-width letters, ligatures: NFKC changes them), letters of
 * more than one script (`pаypal`, Latin with a Cyrillic "а"), letters outside the scripts in
 * everyday use, and a whole local part of letters that each look like an ASCII one (`рау`,
 * all Cyrillic). Internationalised addresses in one script (`josé@`, `用户@`) stay accepted.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email === '') throw new InputError('email', 'Enter your email address.');
  if (email.length > MAX_EMAIL) throw new InputError('email', 'That email address is too long.');
  if (/\s/u.test(email)) throw new InputError('email', 'An email address has no spaces. ' + emailExample);
  if (INVISIBLE.test(email)) throw new InputError('email', emailExample);
  const parts = email.split('@');
  if (parts.length !== 2) throw new InputError('email', emailExample);
  const [local, domain] = parts as [string, string];
  if (local.length === 0 || Buffer.byteLength(local) > MAX_LOCAL || !LOCAL_PART.test(local)) {
    throw new InputError('email', emailExample);
  }
  const problem = localPartProblem(local);
  if (problem) throw new InputError('email', problem);
  const canonical = `${local}@${asciiDomain(domain)}`;
  if (canonical.length > MAX_EMAIL) throw new InputError('email', 'That email address is too long.');
  return canonical;
}

/** Why a (lower-cased, NFC) local part could pass for another address, or undefined. */
function localPartProblem(local: string): string | undefined {
  if (/^[\x21-\x7e]*$/.test(local)) return undefined;
  if (local.normalize('NFKC') !== local) {
    return 'The part before @ has a letter in a special form (such as full-width or a ligature). Type it with ordinary letters.';
  }
  const script = scriptOf(local);
  if (script === 'mixed') {
    return 'The part before @ mixes letters of different alphabets (such as Latin and Cyrillic), which makes it look like another address.';
  }
  if (script === 'unrecommended') return 'The part before @ has letters that an address here cannot use.';
  if (passesForAscii(local)) {
    return 'The part before @ has letters that look like a to z but are not. Type the address with ordinary letters.';
  }
  return undefined;
}

/** The ASCII (A-label) form of an address's domain, or an InputError saying what is wrong. */
function asciiDomain(domain: string): string {
  if (domain === '') throw new InputError('email', emailExample);
  // UTS #46 with the WHATWG URL options (nontransitional, bidi and joiner rules checked):
  // an empty answer is a name no resolver would look up, such as a malformed xn-- label.
  const ascii = domainToASCII(domain);
  if (ascii === '') {
    throw new InputError(
      'email',
      `"${domain}" is not a valid domain name for an email address: no domain is spelled that way. Check the part after @.`,
    );
  }
  const labels = ascii.split('.');
  if (
    ascii.length > MAX_DOMAIN ||
    labels.length < 2 ||
    labels.some((label) => label.length > MAX_LABEL || !ASCII_LABEL.test(label))
  ) {
    throw new InputError('email', emailExample);
  }
  // A top-level domain is never all digits (RFC 3696 2); "name@10.0.0.1" is not an address.
  if (/^\d+$/.test(labels.at(-1) as string)) throw new InputError('email', emailExample);
  return ascii;
}

/**
 * An address as a person should read it: its domain in Unicode (`bücher.de`) when every label
 * is in one script and cannot pass for ASCII, else as stored (`xn--exmple-4nf.com`), the rule
 * browsers follow for the address bar. For display only: compare and store normalizeEmail's form.
 */
export function displayEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0 || !email.includes('xn--', at)) return email;
  const unicode = domainToUnicode(email.slice(at + 1));
  const safe = unicode !== '' && unicode.split('.').every((label) => scriptOf(label) === 'single' && !passesForAscii(label));
  return safe ? `${email.slice(0, at)}@${unicode}` : email;
}

// Numbers an SMS or WhatsApp message can reach. FIXED_LINE_OR_MOBILE is how the numbering
// plans of the US, Canada and others classify every number; PERSONAL_NUMBER ranges forward
// to a mobile. Fixed lines, toll-free, premium-rate and pagers cannot take a text.
const TEXTABLE: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER']);
// What people type in a phone number: digits, a leading +, and separators.
const PHONE_CHARACTERS = /^\+?[\d \u00a0().\-/]+$/;
const phoneExample = 'Enter a mobile number with its country code, like +44 7911 123456.';

/**
 * The E.164 form of a mobile number, or an InputError on field `phone`. A number typed
 * without `+` is read in `defaultCountry` (DEFAULT_COUNTRY); without one it is refused
 * rather than guessed.
 */
export function normalizePhone(raw: string, defaultCountry?: string): string {
  const input = raw.trim();
  if (input === '') throw new InputError('phone', 'Enter your phone number.');
  if (input.length > 40 || !PHONE_CHARACTERS.test(input)) throw new InputError('phone', phoneExample);
  if (!input.startsWith('+') && !defaultCountry) {
    throw new InputError('phone', 'Include your country code, starting with +, like +44 7911 123456.');
  }
  const parsed = parsePhoneNumberFromString(input, defaultCountry as CountryCode | undefined);
  if (!parsed?.isValid()) throw new InputError('phone', 'That is not a valid phone number. ' + phoneExample);
  if (parsed.ext) throw new InputError('phone', phoneExample);
  const type = parsed.getType();
  if (!type || !TEXTABLE.has(type)) {
    throw new InputError('phone', 'That number cannot receive text messages. Enter a mobile number.');
  }
  return parsed.number;
}
