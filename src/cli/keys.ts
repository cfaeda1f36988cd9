/** `gatehouse keys rotate`: new ID token signing keys through the admin API; the old ones stay published. */
import type { AdminClient } from './admin-client.js';
import type { Invocation } from './command.js';
import { UsageError } from './usage-error.js';

export async function rotateKeysCommand(api: AdminClient, { values, print }: Invocation): Promise<number> {
  if (values.alg !== undefined && values.alg !== 'RS256' && values.alg !== 'ES256')
    throw new UsageError('--alg must be RS256 or ES256');
  const result = await api.request<{ keys: { kid: string; alg: string }[] }>(
    'POST',
    '/admin/keys/gatehouse.openid.id-token',
    values.alg ? { alg: values.alg } : {},
  );
  print(result, () => result.keys.map((k) => `new active key ${k.kid} (${k.alg})`).join('\n'));
  return 0;
}
