import { domainToASCII } from 'node:url';
import { type Kysely, sql } from 'kysely';

/**
 * Email addresses are compared with their domain in ASCII (A-label) form (accounts/identifiers.ts),
 * so `x@bücher.de` and `x@xn--bcher-kva.de` are one account. Rows stored before held the domain
 * as typed; this rewrites each to the A-label. Only the domain changes: the local part was
 * stored as typed and is left so, and a domain that has no A-label is left as it is.
 *
 * When the ASCII spelling is already another account's (the same mailbox registered twice under
 * two spellings, which is what this fixes), the rows are not merged: each has its own grants,
 * identities and history, and which one the person keeps is not a migration's call. The
 * Unicode-spelled row keeps its address; sign-in by email now reaches the other account, and the
 * row stays reachable by its other sign-in methods until an operator merges or deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // In UTF-8 a non-ASCII character takes more than one byte: only those rows can need it.
  const { rows } = await sql<{ id: string; email: string }>`
    select id, email from accounts where octet_length(email) <> char_length(email)
  `.execute(db);
  for (const { id, email } of rows) {
    const at = email.lastIndexOf('@');
    const ascii = at < 0 ? '' : domainToASCII(email.slice(at + 1));
    if (ascii === '' || ascii === email.slice(at + 1)) continue;
    const canonical = `${email.slice(0, at)}@${ascii}`;
    await sql`
      update accounts set email = ${canonical}
      where id = ${id} and not exists (select 1 from accounts other where other.email = ${canonical})
    `.execute(db);
  }
}

/** Nothing to undo: an A-label domain is a valid spelling of the same address for older code too. */
export async function down(): Promise<void> {}
