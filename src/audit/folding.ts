/**
 * Repeated failures fold into one audit entry per window: a client failing to authenticate,
 * a wrong second factor, a failed console sign-in. Each is an anonymous caller's doing, so
 * one entry apiece would let anyone write as many entries as they send requests, each kept
 * for AUDIT_RETENTION. The first failure of a window writes the entry; the others add to its
 * `count` and move its `last_at`. The entry keeps the first failure's time, actor and address.
 */
import { windowStartOf } from '../accounts/rate-limit.js';
import type { NewAuditEntry } from './new-entry.js';

/** The actions that fold, all of them failures an anonymous caller can repeat at will. */
export const FOLDED_ACTIONS: ReadonlySet<string> = new Set([
  'client.authentication_failed',
  'account.two_factor_failed',
  'console.sign_in_failed',
]);

/**
 * The window an entry counts into: its action, what it is about (the target, or for an entry
 * without one the address it came from), its purpose when it has one (a wrong second factor at
 * sign-in is not one when turning 2FA off: a fixed few) and the window's start. Undefined: it
 * does not fold.
 */
export function foldKeyOf(entry: NewAuditEntry, windowSeconds: number): string | undefined {
  if (!FOLDED_ACTIONS.has(entry.action)) return undefined;
  const about = entry.target ? `${entry.target.type}:${entry.target.id}` : `ip:${entry.ip ?? ''}`;
  const purpose = typeof entry.details?.purpose === 'string' ? ` for:${entry.details.purpose}` : '';
  return `${entry.action} ${about}${purpose} ${new Date(windowStartOf(entry.at.getTime(), windowSeconds)).toISOString()}`;
}

export interface FoldedEntry extends NewAuditEntry {
  foldKey?: string;
}

/**
 * Entries of one batch, those of one window merged into the first (one statement may not
 * update a row twice): `count` and `last_at` in the details of each folded one.
 */
export function foldBatch(entries: readonly NewAuditEntry[], windowSeconds: number): FoldedEntry[] {
  const out: FoldedEntry[] = [];
  const byKey = new Map<string, FoldedEntry & { details: Record<string, unknown> }>();
  for (const entry of entries) {
    const foldKey = foldKeyOf(entry, windowSeconds);
    if (foldKey === undefined) {
      out.push(entry);
      continue;
    }
    const first = byKey.get(foldKey);
    if (first) {
      first.details.count = (first.details.count as number) + 1;
      if (entry.at.toISOString() > (first.details.last_at as string)) first.details.last_at = entry.at.toISOString();
      continue;
    }
    const folded = { ...entry, foldKey, details: { ...entry.details, count: 1, last_at: entry.at.toISOString() } };
    byKey.set(foldKey, folded);
    out.push(folded);
  }
  return out;
}
