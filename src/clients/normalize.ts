/**
 * Client metadata in, table columns out: every field checked against the schema's limits and
 * the protocol's rules, with the RFC 7591 3.2.2 error a client developer can act on
 * (invalid_redirect_uri for a redirect URI, invalid_client_metadata for anything else).
 */
import { SIGNING_ALGORITHMS } from '../crypto/signing-keys.js';
import { type Client, json, type NewClient } from '../db/schema.js';
import { OAuthError } from '../oauth/errors.js';
import { type ApplicationType, redirectUriProblem } from '../oauth/redirect-uri.js';
import { formatScope, parseScope, type ScopeCatalogue } from '../oauth/scopes.js';
import {
  AUTH_METHODS,
  absoluteUrl,
  CLIENT_STATUSES,
  type ClientInput,
  GRANT_TYPES,
  MAX_METADATA_BYTES,
  maxEntryLength,
  maxItems,
  maxLength,
} from './metadata.js';

export const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const invalidRedirect = (description: string) => new OAuthError('invalid_redirect_uri', description);

// RFC 3986 unreserved characters; not "." or "..", which URLs (/admin/clients/{id}) resolve away.
const CLIENT_ID = new RegExp(`^(?!\\.\\.?$)[A-Za-z0-9._~-]{1,${maxLength('client_id')}}$`);

export function checkClientId(id: string): void {
  if (!CLIENT_ID.test(id))
    throw invalidMetadata('client_id must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or "..".');
}

/** The columns the metadata sets; status, secret and review state are the Clients service's. */
export type MetadataColumns = Omit<
  NewClient,
  | 'id'
  | 'status'
  | 'secret_hash'
  | 'updated_at'
  | 'developer_account_id'
  | 'pending_changes'
  | 'registration_token_hash'
  | 'unrevealed_secret'
  | 'status_changed_at'
> & { redirect_uris: string; post_logout_redirect_uris: string; scope: string };

/** A status and its reason as an admin API body may set them. */
export function checkStatus(status: unknown, reason: unknown): void {
  if (status !== undefined && !(CLIENT_STATUSES as readonly unknown[]).includes(status)) {
    throw invalidMetadata(`status must be one of ${CLIENT_STATUSES.join(', ')}.`);
  }
  const max = maxLength('status_reason');
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > max)) {
    throw invalidMetadata(`status_reason must be a string of at most ${max} characters.`);
  }
}

/** Checks every field and returns the columns to store. */
export function normalizeMetadata(input: ClientInput, existing: Client | undefined, scopes: ScopeCatalogue): MetadataColumns {
  const text = (name: keyof ClientInput, max = maxLength('status_reason')): string | null => {
    const value = input[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') throw invalidMetadata(`${name} must be a string.`);
    if (value.length > max) throw invalidMetadata(`${name} must be at most ${max} characters.`);
    // Control characters have no place in a name or a URL, and would let a value forge lines
    // in an email subject or a log; a description may have line breaks.
    if (hasControlCharacters(value, name === 'description'))
      throw invalidMetadata(`${name} must not contain control characters.`);
    return value;
  };
  const strings = (
    name: 'redirect_uris' | 'post_logout_redirect_uris' | 'grant_types' | 'response_types' | 'contacts' | 'audience',
    fallback: string[],
  ): string[] => {
    const value: unknown = input[name];
    if (value === undefined || value === null) return fallback;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw invalidMetadata(`${name} must be an array of strings.`);
    }
    const max = maxItems(name);
    if (value.length > max) throw invalidMetadata(`${name} must have at most ${max} entries.`);
    return [...new Set(value as string[])];
  };
  const webUri = (name: 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri'): string | null => {
    const value = text(name, maxLength(name));
    if (value === null) return null;
    const url = absoluteUrl(value);
    if (!url) throw invalidMetadata(`${name} must be an absolute URL.`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidMetadata(`${name} must be an http(s) URL.`);
    return value;
  };
  const redirectUris = (name: 'redirect_uris' | 'post_logout_redirect_uris', what: string, type: ApplicationType) => {
    const uris = strings(name, []);
    for (const uri of uris) {
      const problem = redirectUriProblem(uri, type);
      if (problem) throw invalidRedirect(`The ${what} "${uri}" ${problem}.`);
    }
    return uris;
  };

  const applicationType = (text('application_type') ?? 'web') as ApplicationType;
  if (applicationType !== 'web' && applicationType !== 'native') {
    throw invalidMetadata('application_type must be "web" or "native".');
  }
  const method = text('token_endpoint_auth_method') ?? 'client_secret_basic';
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    throw invalidMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`);
  }
  const grantTypes = strings('grant_types', ['authorization_code']);
  for (const g of grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(g)) throw invalidMetadata(`The grant type "${g}" is not supported.`);
  }
  if (method === 'none' && grantTypes.includes('client_credentials')) {
    throw invalidMetadata('A public client cannot use the client_credentials grant.');
  }
  const responseTypes = strings('response_types', grantTypes.includes('authorization_code') ? ['code'] : []);
  for (const r of responseTypes) {
    if (r !== 'code') throw invalidMetadata(`The response type "${r}" is not supported; only "code" is.`);
  }
  if (grantTypes.includes('authorization_code') !== responseTypes.includes('code')) {
    throw invalidMetadata('The authorization_code grant and the "code" response type go together.');
  }
  const redirects = redirectUris('redirect_uris', 'redirect URI', applicationType);
  if (grantTypes.includes('authorization_code') && redirects.length === 0) {
    throw invalidRedirect('A client using the authorization_code grant needs at least one redirect URI.');
  }
  const postLogout = redirectUris('post_logout_redirect_uris', 'post-logout redirect URI', applicationType);
  const scope = scopeOf(input.scope, scopes);
  const alg = text('id_token_signed_response_alg');
  if (alg !== null && !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw invalidMetadata(`id_token_signed_response_alg must be one of ${SIGNING_ALGORITHMS.join(', ')}.`);
  }
  const contacts = strings('contacts', []);
  const maxContact = maxEntryLength('contacts');
  if (contacts.some((c) => c.length > maxContact))
    throw invalidMetadata(`contacts entries must be at most ${maxContact} characters.`);
  const metadata: unknown = input.metadata ?? existing?.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalidMetadata('metadata must be a JSON object.');
  }
  if (JSON.stringify(metadata).length > MAX_METADATA_BYTES) throw invalidMetadata('metadata is larger than 16 KiB.');
  const skipConsent: unknown = input.skip_consent ?? false;
  if (typeof skipConsent !== 'boolean') throw invalidMetadata('skip_consent must be a boolean.');

  return {
    name: text('client_name', maxLength('client_name')) ?? '',
    description: text('description', maxLength('description')),
    redirect_uris: json(redirects),
    post_logout_redirect_uris: json(postLogout),
    grant_types: json(grantTypes),
    response_types: json(responseTypes),
    scope,
    audience: json(strings('audience', [])),
    token_endpoint_auth_method: method,
    application_type: applicationType,
    skip_consent: skipConsent,
    id_token_signed_response_alg: alg,
    logo_uri: webUri('logo_uri'),
    client_uri: webUri('client_uri'),
    policy_uri: webUri('policy_uri'),
    tos_uri: webUri('tos_uri'),
    owner: text('owner', maxLength('owner')),
    contacts: json(contacts),
    metadata: json(metadata as Record<string, unknown>),
  };
}

/** The scope, known to the catalogue, in its canonical form; openid and offline_access when none is given. */
function scopeOf(value: unknown, scopes: ScopeCatalogue): string {
  const scopeText = value === undefined ? 'openid offline_access' : value;
  if (typeof scopeText !== 'string') throw invalidMetadata('scope must be a space-delimited string.');
  try {
    const parsed = parseScope(scopeText);
    scopes.assertKnown(parsed);
    return formatScope(parsed);
  } catch (err) {
    // The scope parser's and the catalogue's refusals, said as this field's problem.
    if (!(err instanceof OAuthError)) throw err;
    throw invalidMetadata(err.description);
  }
}

function hasControlCharacters(value: string, allowLineBreaks: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (allowLineBreaks && (c === 9 || c === 10 || c === 13)) continue;
    if (c < 32 || c === 127) return true;
  }
  return false;
}
