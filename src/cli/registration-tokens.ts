/**
 * `gatehouse registration-tokens create | list | delete`: the RFC 7591 initial access tokens
 * that let someone register clients at /oauth2/register, through the admin API.
 */
import type { InitialAccessTokenJson } from '../clients/initial-access-tokens.js';
import type { AdminClient } from './admin-client.js';
import { type Invocation, tabulate } from './command.js';
import { UsageError } from './usage-error.js';

const UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "3600", "90s", "10m", "24h", "7d" → seconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d{1,9})(s|m|h|d)?$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * UNITS[(match[2] ?? 's') as keyof typeof UNITS] : 0;
  if (seconds <= 0) throw new UsageError(`--expires-in "${raw}" is not a duration (e.g. 3600, 30m, 24h, 7d)`);
  return seconds;
}

function parseUses(raw: string): number {
  if (!/^\d{1,7}$/.test(raw.trim()) || Number(raw) < 1) throw new UsageError(`--uses "${raw}" is not a positive whole number`);
  return Number(raw);
}

const state = (token: InitialAccessTokenJson) => (token.active ? 'active' : token.uses_left === 0 ? 'used up' : 'expired');

export async function registrationTokensCommand(api: AdminClient, { sub, id, values, print }: Invocation): Promise<number> {
  switch (sub) {
    case 'create': {
      const body = {
        ...(typeof values.description === 'string' ? { description: values.description } : {}),
        ...(typeof values.uses === 'string' ? { uses: parseUses(values.uses) } : {}),
        ...(typeof values['expires-in'] === 'string' ? { expires_in: parseDuration(values['expires-in']) } : {}),
      };
      const created = await api.request<InitialAccessTokenJson & { token: string }>('POST', '/admin/registration-tokens', body);
      print(created, () =>
        [
          `id:         ${created.id}`,
          `token:      ${created.token}   (shown once: store it now)`,
          `uses left:  ${created.uses_left ?? 'unlimited'}`,
          `expires:    ${created.expires_at ?? 'never'}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'list': {
      const tokens = await api.request<InitialAccessTokenJson[]>('GET', '/admin/registration-tokens');
      print(tokens, () =>
        tabulate(tokens, 'no registration tokens', (t) => [
          t.id,
          state(t),
          `uses left ${t.uses_left ?? 'unlimited'}`,
          `expires ${t.expires_at ?? 'never'}`,
          t.description ?? '',
        ]),
      );
      return 0;
    }
    case 'delete': {
      if (!id) throw new UsageError('registration-tokens delete needs a token id');
      await api.request('DELETE', `/admin/registration-tokens/${encodeURIComponent(id)}`);
      print({ deleted: id }, () => `deleted ${id}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "registration-tokens ${sub ?? ''}"`);
  }
}
