/** `gatehouse audit`: the newest audit log entries, filtered by action prefix or target, through the admin API. */
import type { AuditEntry } from '../audit/audit-log.js';
import type { AdminClient } from './admin-client.js';
import { type Invocation, tabulate } from './command.js';
import { UsageError } from './usage-error.js';

export async function auditCommand(api: AdminClient, { values, print }: Invocation): Promise<number> {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500');
  const query = new URLSearchParams({ page_size: String(limit) });
  if (values.action) query.set('action', values.action as string);
  if (values.target) query.set('target_id', values.target as string);
  const entries = await api.request<AuditEntry[]>('GET', `/admin/audit?${query}`);
  print(entries, () =>
    tabulate(entries, 'no entries', (e) => [
      e.at,
      e.action,
      `${e.actor.type}${e.actor.id ? `:${e.actor.id}` : ''}`,
      e.target ? `${e.target.type}:${e.target.id}` : '-',
      Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : '',
    ]),
  );
  return 0;
}
