/**
 * The one definition of a client's metadata (RFC 7591 2, as Hydra's admin API shows it, plus
 * Gatehouse's review fields): a TypeBox schema from which the client's JSON type, the admin
 * API's body and the developer portal's limits all derive, so that none of them can state a
 * limit the others do not keep.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { ClientStatus, PendingChanges } from '../db/schema.js';

export const CLIENT_STATUSES: readonly ClientStatus[] = ['pending', 'approved', 'rejected', 'suspended'];
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** Secrets are stored as SHA-256 hashes, which is only safe for high-entropy secrets. */
export const CLIENT_SECRET_LENGTH = { min: 32, max: 512 } as const;
/** What JSON.stringify(metadata) may weigh. */
export const MAX_METADATA_BYTES = 16 * 1024;

const text = (maxLength: number) => Type.String({ maxLength });
const list = (maxItems: number, entryLength?: number) =>
  Type.Array(entryLength === undefined ? Type.String() : text(entryLength), { maxItems });

/** Every field a client has, with the limits every way of setting it keeps. */
export const ClientMetadata = Type.Object({
  client_id: text(128),
  client_secret: Type.Optional(text(CLIENT_SECRET_LENGTH.max)),
  client_name: text(200),
  redirect_uris: list(50),
  post_logout_redirect_uris: list(50),
  grant_types: list(50),
  response_types: list(50),
  scope: text(4096),
  audience: list(50),
  token_endpoint_auth_method: text(1000),
  application_type: text(1000),
  skip_consent: Type.Boolean(),
  id_token_signed_response_alg: Type.Optional(text(1000)),
  logo_uri: text(2000),
  client_uri: text(2000),
  policy_uri: text(2000),
  tos_uri: text(2000),
  owner: text(200),
  contacts: list(50, 320),
  metadata: Type.Record(Type.String(), Type.Unknown(), { description: `At most ${MAX_METADATA_BYTES} bytes as JSON` }),
  subject_type: Type.Literal('public'),
  client_secret_expires_at: Type.Literal(0),
  status: Type.Union(CLIENT_STATUSES.map((s) => Type.Literal(s))),
  status_reason: Type.Optional(text(1000)),
  /** Gatehouse extensions: what the developer wrote, who registered it, changes under review. */
  description: text(2000),
  developer_account_id: Type.Optional(Type.String()),
  pending_changes: Type.Optional(Type.Unsafe<PendingChanges>(Type.Object({}, { additionalProperties: true }))),
  created_at: Type.String(),
  updated_at: Type.String(),
});

/** A client as Hydra's admin API shows it, plus `status`. */
export type ClientJson = Static<typeof ClientMetadata>;

/** Fields the server sets, which no caller sends. */
const SERVER_FIELDS = [
  'subject_type',
  'client_secret_expires_at',
  'created_at',
  'updated_at',
  'developer_account_id',
  'pending_changes',
] as const;

const writable = Type.Partial(Type.Omit(ClientMetadata, [...SERVER_FIELDS]));

/**
 * What a caller may send: every field optional, unknown fields ignored (as Hydra does);
 * contacts and metadata may be null. The admin API's body schema.
 */
export const ClientInputSchema = Type.Object(
  {
    ...writable.properties,
    contacts: Type.Optional(Type.Union([ClientMetadata.properties.contacts, Type.Null()])),
    metadata: Type.Optional(Type.Union([ClientMetadata.properties.metadata, Type.Null()])),
  },
  { additionalProperties: true, $id: 'ClientInput' },
);
export type ClientInput = Static<typeof ClientInputSchema>;

/** The fields a developer may set in the portal or through RFC 7591: no status, no skip_consent, no audience. */
export const DEVELOPER_FIELDS = [
  'client_name',
  'description',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'contacts',
  'redirect_uris',
  'post_logout_redirect_uris',
  'scope',
  'token_endpoint_auth_method',
  'application_type',
  'grant_types',
  'response_types',
  'id_token_signed_response_alg',
] as const;
export type DeveloperInput = Pick<ClientInput, (typeof DEVELOPER_FIELDS)[number]>;

type Field = keyof typeof ClientMetadata.properties;
type Limited = { maxLength?: number; maxItems?: number };

/** The longest a text field may be, from the schema. */
export const maxLength = (field: Field): number => (ClientMetadata.properties[field] as Limited).maxLength as number;

/** The most entries a list field may have, from the schema. */
export const maxItems = (field: Field): number => (ClientMetadata.properties[field] as Limited).maxItems as number;

/** The longest an entry of a list field may be, from the schema. */
export const maxEntryLength = (field: Field): number =>
  (ClientMetadata.properties[field] as { items?: Limited }).items?.maxLength as number;

/** An absolute URL, or undefined for text that is not one. */
export const absoluteUrl = (value: string): URL | undefined => (URL.canParse(value) ? new URL(value) : undefined);
