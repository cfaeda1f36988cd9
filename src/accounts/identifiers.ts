/**
 * The two identifiers a person signs in with, in one canonical form each, so that one
 * address is one account and one rate-limit bucket however it was typed:
 * - email: trimmed and lower-cased as a whole (strictly, RFC 5321 lets the local part be
 *   case-sensitive, but no mailbox provider in use treats it so, and two accounts for
 *   `Ann@x.org` and `ann@x.org` would be worse);
 * - phone: E.164 (`+14155550123`), the form SMS and WhatsApp providers expect.
 */
import { type CountryCode, type NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { GatehouseError } from '../errors.js';

/** Bad input in one form field; `message` is written to be shown next to that field. */
export class InputError extends GatehouseError {
  override name = 'InputError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

// RFC 5321 4.5.3.1: a path is at most 256 octets including the angle brackets, so 254 for
// the address; a local part at most 64, a domain label at most 63.
const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
const MAX_LABEL = 63;

// The RFC 5322 dot-atom characters (no quoted local parts: nobody types them and they are a
// classic injection vector), plus letters and digits of any script for internationalised
// addresses (RFC 6531).
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
// Whitespace, control and format characters (zero-width spaces, bidi overrides) never
// belong in an address and make look-alikes.
const INVISIBLE = /[\s\p{Cc}\p{Cf}]/u;

const emailExample = 'Enter an email address like name@example.com.';

/** The canonical form of an email address, or an InputError on field `email`. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email === '') throw new InputError('email', 'Enter your email address.');
  if (email.length > MAX_EMAIL) throw new InputError('email', 'That email address is too long.');
  if (/\s/u.test(email)) throw new InputError('email', 'An email address has no spaces. ' + emailExample);
  if (INVISIBLE.test(email)) throw new InputError('email', emailExample);
  const parts = email.split('@');
  if (parts.length !== 2) throw new InputError('email', emailExample);
  const [local, domain] = parts as [string, string];
  if (local.length === 0 || local.length > MAX_LOCAL || !LOCAL_PART.test(local)) throw new InputError('email', emailExample);
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((label) => label.length > MAX_LABEL || !DOMAIN_LABEL.test(label))) {
    throw new InputError('email', emailExample);
  }
  // A top-level domain is never all digits (RFC 3696 2); "name@10.0.0.1" is not an address.
  if (/^\d+$/.test(labels.at(-1) as string)) throw new InputError('email', emailExample);
  return email;
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
