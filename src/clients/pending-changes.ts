/**
 * Which of a developer's edits to an approved client wait for an operator. Each reviewed field
 * changes which redirect URIs match (application_type turns on RFC 8252 loopback port
 * variance) or what the client may do (grants, response types, scopes, how it authenticates).
 * What stays immediate is what only describes the client (name, description, logo, links,
 * contacts) and the ID token's signing algorithm, which is one of our own asymmetric keys
 * whichever is picked. Fields only an operator sets (skip_consent, audience, owner, metadata,
 * status) never reach a developer edit at all.
 */
import { type Client, json, type NewClient, type PendingChanges } from '../db/schema.js';
import { invalidMetadata, type MetadataColumns } from './normalize.js';

export const REVIEWED_FIELDS = [
  'redirect_uris',
  'post_logout_redirect_uris',
  'scope',
  'grant_types',
  'response_types',
  'application_type',
  'token_endpoint_auth_method',
] as const;
type ReviewedField = (typeof REVIEWED_FIELDS)[number];

/** The reviewed fields stored as JSON arrays; the others are plain text columns. */
const LIST_FIELDS: ReadonlySet<ReviewedField> = new Set([
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
]);

/** A client whose reviewed fields change only through an operator: approved, or suspended (reinstating must not bring in unreviewed changes). */
export const holdsChanges = (client: Client): boolean => client.status !== 'pending' && client.status !== 'rejected';

export interface Held {
  /** The columns that apply at once, with the held changes (or null when none). */
  columns: Partial<NewClient>;
  /** The names of the fields held for review. */
  fields: string[];
}

/** Splits a validated edit of a client that holds changes into what applies now and what waits. */
export function holdReviewed(columns: MetadataColumns, existing: Client, now: Date): Held {
  // Confidential to public would drop the secret that proves who calls, public to confidential
  // would need one issued: neither is an edit, and no review makes it one.
  if ((columns.token_endpoint_auth_method === 'none') !== (existing.token_endpoint_auth_method === 'none')) {
    throw invalidMetadata('An approved application cannot switch between confidential and public; register a new one.');
  }
  const immediate: Partial<NewClient> = { ...columns };
  const held: Partial<Record<ReviewedField, unknown>> = {};
  for (const field of REVIEWED_FIELDS) {
    const proposed: unknown = LIST_FIELDS.has(field) ? JSON.parse(columns[field]) : columns[field];
    if (JSON.stringify(proposed) !== JSON.stringify(existing[field])) held[field] = proposed;
    delete immediate[field];
  }
  const fields = Object.keys(held);
  const pending: PendingChanges | null =
    fields.length > 0 ? { ...(held as Partial<PendingChanges>), requested_at: now.toISOString() } : null;
  return { columns: { ...immediate, pending_changes: pending === null ? null : json(pending) }, fields };
}

/** The columns an approved change sets: only the fields that were held. */
export function approvedColumns(changes: Omit<PendingChanges, 'requested_at'>, validated: MetadataColumns): Partial<NewClient> {
  const update: Partial<NewClient> = { pending_changes: null };
  for (const field of REVIEWED_FIELDS) if (field in changes) Object.assign(update, { [field]: validated[field] });
  return update;
}
