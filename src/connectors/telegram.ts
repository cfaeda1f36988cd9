/**
 * The Telegram Login Widget's answer (core.telegram.org/widgets/login "Checking authorization"):
 * the data-check-string is every received field but `hash`, sorted, as `key=value` lines; the
 * key is SHA-256 of the bot token; `hash` is the hex HMAC-SHA-256 of the string under that key.
 * `auth_date` bounds how long the signed data is worth anything.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/tokens.js';
import type { TelegramSettings } from './connectors.js';
import { ConnectorError } from './errors.js';
import type { ConnectedUser } from './presets.js';

/** Telegram's clock and ours may differ a little; more than this is data from the future. */
const FUTURE_TOLERANCE_SECONDS = 60;
const MAX_FIELDS = 16;

export interface TelegramLogin extends ConnectedUser {
  /** When Telegram signed the data (seconds since the epoch). */
  authDate: number;
  /** The data's signature (`hash`): what makes it single-use (used-telegram-logins.ts). */
  signature: string;
  /** After this the data is refused as too old, so it need not be remembered as used. */
  usableUntil: Date;
}

/** The widget's fields as one value each; repeated or excessive fields are refused as malformed. */
function fieldsOf(query: URLSearchParams): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const [key, value] of query) {
    if (fields.has(key) || fields.size >= MAX_FIELDS) return undefined;
    fields.set(key, value);
  }
  return fields;
}

export function dataCheckString(fields: Map<string, string>): string {
  return [...fields]
    .filter(([key]) => key !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

export function verifyTelegramLogin(query: URLSearchParams, settings: TelegramSettings, nowMs: number): TelegramLogin {
  const invalid = new ConnectorError(
    'invalid_signature',
    'This Telegram sign-in could not be verified. Start again and sign in with the Telegram button.',
  );
  const fields = fieldsOf(query);
  const hash = fields?.get('hash');
  const id = fields?.get('id');
  const authDate = fields?.get('auth_date');
  if (
    !fields ||
    !hash ||
    !/^[0-9a-f]{64}$/i.test(hash) ||
    !id ||
    !/^\d{1,20}$/.test(id) ||
    !authDate ||
    !/^\d{1,12}$/.test(authDate)
  ) {
    throw invalid;
  }
  const key = createHash('sha256').update(settings.botToken).digest();
  const expected = createHmac('sha256', key).update(dataCheckString(fields)).digest('hex');
  if (!safeEqual(expected, hash.toLowerCase())) throw invalid;

  const signedAt = Number(authDate);
  const now = Math.floor(nowMs / 1000);
  if (now - signedAt > settings.maxAgeSeconds) {
    throw new ConnectorError('stale', 'This Telegram sign-in is too old. Start again and sign in with the Telegram button.');
  }
  if (signedAt - now > FUTURE_TOLERANCE_SECONDS) {
    throw new ConnectorError(
      'stale',
      "This Telegram sign-in is dated in the future; check this server's clock.",
      `auth_date ${signedAt}, now ${now}`,
    );
  }
  const username = fields.get('username') || fields.get('first_name');
  if (!username) throw invalid;
  const details: Record<string, string> = {};
  for (const name of ['first_name', 'last_name'] as const) {
    const value = fields.get(name);
    if (value) details[name] = value;
  }
  return {
    id,
    username,
    details,
    authDate: signedAt,
    signature: hash.toLowerCase(),
    usableUntil: new Date((signedAt + settings.maxAgeSeconds + 1) * 1000),
  };
}
