import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from './errors.js';
import { dataCheckString, verifyTelegramLogin } from './telegram.js';

const settings = { botToken: '5550001:AAFtest-token-of-the-widget-bot_x', botUsername: 'GateBot', maxAgeSeconds: 86400 };
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const nowSeconds = String(NOW / 1000);

/** Signs as Telegram does, written out here rather than borrowed from the module under test. */
function sign(fields: Record<string, string>, botToken = settings.botToken): URLSearchParams {
  const lines = Object.entries(fields)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const hash = createHmac('sha256', createHash('sha256').update(botToken).digest()).update(lines).digest('hex');
  return new URLSearchParams({ ...fields, hash });
}

const failureOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof ConnectorError) return err.error;
    throw err;
  }
  return undefined;
};

describe('verifyTelegramLogin', () => {
  const fields = {
    id: '99887766',
    first_name: 'Ada',
    last_name: 'L',
    username: 'ada_tg',
    photo_url: 'https://t.me/i/a.jpg',
    auth_date: nowSeconds,
  };

  it('accepts data signed with the bot token and names the person by username', () => {
    const query = sign(fields);
    const login = verifyTelegramLogin(query, settings, NOW);
    expect(login).toEqual({
      id: '99887766',
      username: 'ada_tg',
      details: { first_name: 'Ada', last_name: 'L' },
      authDate: NOW / 1000,
      // What spends it once, and until when it must stay spent (as long as it is not too old).
      signature: query.get('hash'),
      usableUntil: new Date(NOW + (86400 + 1) * 1000),
    });
  });

  it('falls back to the first name when there is no username, and accepts an upper-case hash', () => {
    const query = sign({ id: '1', first_name: 'Solo', auth_date: nowSeconds });
    query.set('hash', (query.get('hash') as string).toUpperCase());
    expect(verifyTelegramLogin(query, settings, NOW).username).toBe('Solo');
  });

  it('builds the data-check-string from every field but hash, sorted, one key=value a line', () => {
    const map = new Map(Object.entries({ username: 'u', id: '5', hash: 'x', auth_date: '7' }));
    expect(dataCheckString(map)).toBe('auth_date=7\nid=5\nusername=u');
  });

  it.each([
    ['a changed field', () => Object.assign(sign(fields), {}).toString().replace('ada_tg', 'eve')],
    ['an added field', () => `${sign(fields)}&extra=1`],
    ['another bot', () => sign(fields, '1234:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').toString()],
    ['no hash', () => new URLSearchParams(fields).toString()],
    ['a repeated field', () => `${sign(fields)}&id=1`],
    ['no id', () => sign({ first_name: 'A', auth_date: nowSeconds }).toString()],
    ['no name at all', () => sign({ id: '3', auth_date: nowSeconds }).toString()],
  ])('refuses %s', (_name, query) => {
    expect(failureOf(() => verifyTelegramLogin(new URLSearchParams(query()), settings, NOW))).toBe('invalid_signature');
  });

  it('refuses data older than the maximum age and data from the future, keeping a minute of clock skew', () => {
    const at = (offset: number) => sign({ ...fields, auth_date: String(NOW / 1000 + offset) });
    expect(failureOf(() => verifyTelegramLogin(at(-86400), settings, NOW))).toBeUndefined();
    expect(failureOf(() => verifyTelegramLogin(at(-86401), settings, NOW))).toBe('stale');
    expect(failureOf(() => verifyTelegramLogin(at(60), settings, NOW))).toBeUndefined();
    expect(failureOf(() => verifyTelegramLogin(at(61), settings, NOW))).toBe('stale');
    expect(failureOf(() => verifyTelegramLogin(at(-600), { ...settings, maxAgeSeconds: 300 }, NOW))).toBe('stale');
  });
});
