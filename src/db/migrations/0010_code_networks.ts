import { type Kysely, sql } from 'kysely';
import { addressBucket } from '../../net/address-bucket.js';

/**
 * One-time codes count their limits by the network that asked (an IPv4 address, or an IPv6
 * address by its prefix) and keep apart the sends to a browser that had already proved the
 * address (src/accounts/code-limits.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table one_time_codes add column network text;
    alter table one_time_codes add column proved boolean not null default false;
    update one_time_codes set network = ip where ip is not null and position(':' in ip) = 0;
    drop index one_time_codes_ip;
    create index one_time_codes_network on one_time_codes (network, created_at);
  `.execute(db);
  // Rows live about an hour: the few IPv6 ones are bucketed here (by the default /64), so
  // the codes sent just before the upgrade still count.
  const rows = await sql<{ id: string; ip: string }>`
    select id, ip from one_time_codes where position(':' in ip) > 0
  `.execute(db);
  for (const row of rows.rows) {
    await sql`update one_time_codes set network = ${addressBucket(row.ip)} where id = ${row.id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index one_time_codes_network;
    alter table one_time_codes drop column proved;
    alter table one_time_codes drop column network;
    create index one_time_codes_ip on one_time_codes (ip, created_at);
  `.execute(db);
}
