/**
 * The developer portal's application form: what a developer typed, checked field by field
 * with messages written for that field, and turned into the Clients service's DeveloperInput.
 * The service checks everything again; this layer exists so that each mistake is shown next
 * to its field, all at once, with what was typed kept.
 */
import { InputError, normalizeEmail } from '../accounts/identifiers.js';
import type { Client } from '../db/schema.js';
import type { GatehouseError } from '../errors.js';
import { invalidRequest } from '../oauth/errors.js';
import type { RawParams } from '../oauth/params.js';
import { type ApplicationType, redirectUriProblem } from '../oauth/redirect-uri.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';
import { absoluteUrl, type DeveloperInput, maxItems, maxLength } from './metadata.js';

/** Confidential: a server that keeps a secret. Public: a browser app. Native: a mobile or desktop app. */
export type ClientType = 'confidential' | 'public' | 'native';
export const CLIENT_TYPES: readonly ClientType[] = ['confidential', 'public', 'native'];

export interface ApplicationValues {
  client_name: string;
  description: string;
  client_uri: string;
  logo_uri: string;
  policy_uri: string;
  tos_uri: string;
  contact: string;
  client_type: ClientType | '';
  /** One URI per line, as typed. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  scopes: string[];
}

export type ApplicationField = keyof ApplicationValues;
export type ApplicationErrors = Partial<Record<ApplicationField, string>>;

export const emptyApplication = (): ApplicationValues => ({
  client_name: '',
  description: '',
  client_uri: '',
  logo_uri: '',
  policy_uri: '',
  tos_uri: '',
  contact: '',
  client_type: '',
  redirect_uris: '',
  post_logout_redirect_uris: '',
  scopes: ['openid'],
});

/** What the portal registers besides the form: the code flow, with refresh tokens (rotating). */
export const PORTAL_GRANTS: Pick<DeveloperInput, 'grant_types' | 'response_types'> = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

// The client schema's limits, which the Clients service keeps too: here the form says them next to the field.
const MAX_NAME = maxLength('client_name');
const MAX_DESCRIPTION = maxLength('description');
// Bidi overrides and zero-width characters make one application's name look like another's.
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

export const clientTypeOf = (client: Pick<Client, 'token_endpoint_auth_method' | 'application_type'>): ClientType =>
  client.token_endpoint_auth_method !== 'none' ? 'confidential' : client.application_type === 'native' ? 'native' : 'public';

const lines = (text: string): string[] => [
  ...new Set(
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  ),
];

/** The form's values for an existing application; pending changes show as what was asked. */
export function valuesOf(client: Client): ApplicationValues {
  const pending = client.pending_changes ?? undefined;
  const scope = pending?.scope ?? client.scope;
  return {
    client_name: client.name,
    description: client.description ?? '',
    client_uri: client.client_uri ?? '',
    logo_uri: client.logo_uri ?? '',
    policy_uri: client.policy_uri ?? '',
    tos_uri: client.tos_uri ?? '',
    contact: client.contacts[0] ?? '',
    client_type: clientTypeOf(client),
    redirect_uris: (pending?.redirect_uris ?? client.redirect_uris).join('\n'),
    post_logout_redirect_uris: (pending?.post_logout_redirect_uris ?? client.post_logout_redirect_uris).join('\n'),
    scopes: scope ? scope.split(' ') : [],
  };
}

// A form that a page of ours sent never has these shapes; they are refused as a whole.
function single(body: RawParams, name: string): string {
  const value: unknown = body[name];
  if (value === undefined) return '';
  if (Array.isArray(value)) throw invalidRequest(`The "${name}" field was sent more than once.`);
  if (typeof value !== 'string') throw invalidRequest(`The "${name}" field must be text.`);
  return value;
}

function many(body: RawParams, name: string): string[] {
  const value: unknown = body[name];
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.some((v) => typeof v !== 'string')) throw invalidRequest(`The "${name}" field must be text.`);
  return (list as string[]).filter(Boolean);
}

const shorten = (uri: string) => (uri.length > 80 ? `${uri.slice(0, 77)}…` : uri);

function urlProblem(value: string, field: 'client_uri' | 'policy_uri' | 'tos_uri' | 'logo_uri'): string | undefined {
  // The logo is shown as an image on our pages, which only load images over https.
  const httpsOnly = field === 'logo_uri';
  if (value === '') return undefined;
  const max = maxLength(field);
  if (value.length > max) return `Use a URL of at most ${max} characters.`;
  const url = absoluteUrl(value);
  if (!url) return `Enter a full URL, starting with ${httpsOnly ? 'https://' : 'https:// or http://'}.`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && !httpsOnly) return undefined;
  return httpsOnly
    ? 'Use an https:// URL: the pages that show the logo only load images over https.'
    : 'Use an https:// or http:// URL.';
}

function uriListProblem(
  field: 'redirect_uris' | 'post_logout_redirect_uris',
  uris: string[],
  type: ApplicationType,
  what: string,
): string | undefined {
  // The code flow, which the portal registers, needs a redirect URI; signing out does not.
  if (uris.length === 0) return field === 'redirect_uris' ? `Add at least one ${what}, one per line.` : undefined;
  const max = maxItems(field);
  if (uris.length > max) return `Use at most ${max} ${what}s.`;
  const problems = uris.flatMap((uri) => {
    const problem = redirectUriProblem(uri, type);
    return problem ? [`"${shorten(uri)}" ${problem}.`] : [];
  });
  return problems.length > 0 ? problems.join(' ') : undefined;
}

export interface ReadApplication {
  values: ApplicationValues;
  errors: ApplicationErrors;
  /** Present when there is no error. */
  input?: DeveloperInput;
}

/**
 * Reads a posted application form. `clientType` fixes the client type (an approved
 * application cannot change it, so its edit form does not offer it).
 */
export function readApplicationForm(
  posted: unknown,
  options: { scopes: ScopeCatalogue; clientType?: ClientType | undefined },
): ReadApplication {
  const body = (typeof posted === 'object' && posted !== null && !Array.isArray(posted) ? posted : {}) as RawParams;
  const typed = single(body, 'client_type');
  const values: ApplicationValues = {
    client_name: single(body, 'client_name').trim(),
    description: single(body, 'description').trim(),
    client_uri: single(body, 'client_uri').trim(),
    logo_uri: single(body, 'logo_uri').trim(),
    policy_uri: single(body, 'policy_uri').trim(),
    tos_uri: single(body, 'tos_uri').trim(),
    contact: single(body, 'contact').trim(),
    client_type: options.clientType ?? ((CLIENT_TYPES as readonly string[]).includes(typed) ? (typed as ClientType) : ''),
    redirect_uris: single(body, 'redirect_uris'),
    post_logout_redirect_uris: single(body, 'post_logout_redirect_uris'),
    scopes: [...new Set(many(body, 'scope'))],
  };
  const errors: ApplicationErrors = {};

  const name = values.client_name;
  if (name === '') errors.client_name = 'Enter the name people will see when they sign in.';
  else if (name.length > MAX_NAME)
    errors.client_name = `Use a name of at most ${MAX_NAME} characters (this one has ${name.length}).`;
  else if (/[<>]/.test(name)) errors.client_name = 'The name cannot contain < or >.';
  else if (INVISIBLE.test(name)) errors.client_name = 'The name cannot contain control or invisible characters.';

  if (values.description.length > MAX_DESCRIPTION) {
    errors.description = `Use at most ${MAX_DESCRIPTION} characters (this has ${values.description.length}).`;
  }
  for (const field of ['client_uri', 'policy_uri', 'tos_uri', 'logo_uri'] as const) {
    const problem = urlProblem(values[field], field);
    if (problem) errors[field] = problem;
  }

  let contact = values.contact;
  if (contact === '') errors.contact = 'Enter an email address where the operator can reach you about this application.';
  else {
    try {
      contact = normalizeEmail(contact);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      errors.contact = err.message;
    }
  }

  if (values.client_type === '') errors.client_type = 'Choose the kind of application.';
  const applicationType: ApplicationType = values.client_type === 'native' ? 'native' : 'web';
  const redirectUris = lines(values.redirect_uris);
  const postLogout = lines(values.post_logout_redirect_uris);
  const redirectProblem = uriListProblem('redirect_uris', redirectUris, applicationType, 'redirect URI');
  if (redirectProblem) errors.redirect_uris = redirectProblem;
  const logoutProblem = uriListProblem('post_logout_redirect_uris', postLogout, applicationType, 'post-logout redirect URI');
  if (logoutProblem) errors.post_logout_redirect_uris = logoutProblem;

  const unknown = values.scopes.filter((s) => !options.scopes.has(s));
  if (unknown.length > 0) errors.scopes = `Unknown scope: ${unknown.map(shorten).join(', ')}.`;
  else if (values.scopes.length === 0) errors.scopes = 'Choose at least one scope (openid, to sign people in).';

  if (Object.keys(errors).length > 0) return { values, errors };
  const type = values.client_type as ClientType;
  return {
    values,
    errors,
    input: {
      client_name: name,
      description: values.description,
      client_uri: values.client_uri,
      logo_uri: values.logo_uri,
      policy_uri: values.policy_uri,
      tos_uri: values.tos_uri,
      contacts: [contact],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      // In the catalogue's order, whatever order the boxes were posted in.
      scope: options.scopes
        .names()
        .filter((s) => values.scopes.includes(s))
        .join(' '),
      ...(options.clientType
        ? {}
        : {
            token_endpoint_auth_method: type === 'confidential' ? 'client_secret_basic' : 'none',
            application_type: type === 'native' ? 'native' : 'web',
          }),
    },
  };
}

/**
 * The field a refusal of the Clients service is about (its messages name the JSON field),
 * so that it is shown there; undefined for a refusal about the whole application.
 */
export function fieldOfRefusal(err: GatehouseError): ApplicationField | undefined {
  const d = err.description;
  if (/^client_name\b/.test(d)) return 'client_name';
  if (/^description\b/.test(d)) return 'description';
  for (const field of ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const) if (d.startsWith(field)) return field;
  if (/^contacts\b/.test(d)) return 'contact';
  if (/^The post-logout redirect URI|^post_logout_redirect_uris\b/.test(d)) return 'post_logout_redirect_uris';
  if (/redirect URI|^redirect_uris\b/.test(d)) return 'redirect_uris';
  if (err.error === 'invalid_scope' || /^scope\b|scope "/.test(d)) return 'scopes';
  if (/confidential|public client|token_endpoint_auth_method|application_type/.test(d)) return 'client_type';
  return undefined;
}
