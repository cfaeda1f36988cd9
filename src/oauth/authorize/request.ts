/**
 * Validation of an authorization request (RFC 6749 4.1.1, RFC 7636 4.3, OIDC Core 3.1.2.1).
 * Two phases: until the client and redirect URI are trusted, an error is shown to the person
 * and never redirected (RFC 6749 4.1.2.1); after that, errors go back to the client.
 */
import { isValidChallenge } from '../../crypto/pkce.js';
import type { AuthorizationRequest, Client } from '../../db/schema.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { Params } from '../params.js';
import { type ApplicationType, matchRedirectUri } from '../redirect-uri.js';
import { parseScope, type ScopeCatalogue } from '../scopes.js';
import { checkParameterLengths, TARGET_PARAMETERS } from './parameters.js';

export interface TrustedTarget {
  client: Client;
  redirectUri: string;
  redirectUriSent: boolean;
}

/** Phase 1: the client and the redirect URI. Errors here are shown, never redirected. */
export async function resolveTarget(
  params: Params,
  findClient: (id: string) => Promise<Client | undefined>,
): Promise<TrustedTarget> {
  checkParameterLengths(params, TARGET_PARAMETERS);
  const clientId = params.get('client_id');
  if (clientId === undefined) throw invalidRequest('The request has no client_id.');
  const client = await findClient(clientId);
  if (!client) throw new OAuthError('invalid_client', 'The client is not registered.', { status: 400 });
  if (client.status !== 'approved') {
    throw new OAuthError('unauthorized_client', 'This application has not been approved to sign people in.', {
      status: 403,
      debug: `client status is ${client.status}`,
    });
  }
  const registered = client.redirect_uris;
  const requested = params.get('redirect_uri');
  if (requested === undefined) {
    // RFC 6749 3.1.2.3: it may be left out only when the client registered exactly one.
    if (registered.length !== 1) throw invalidRequest('The request has no redirect_uri, and the client has several.');
    return { client, redirectUri: registered[0] as string, redirectUriSent: false };
  }
  const matched = matchRedirectUri(requested, registered, client.application_type as ApplicationType);
  if (matched === undefined) {
    throw invalidRequest('The redirect_uri does not match any of the client’s registered redirect URIs.');
  }
  return { client, redirectUri: matched, redirectUriSent: true };
}

interface CheckContext {
  params: Params;
  client: Client;
  scopes: ScopeCatalogue;
  /** GET /oauth (Galxe) implies response_type=code. */
  impliedResponseType: boolean;
  request: Partial<AuthorizationRequest>;
}

type Check = (ctx: CheckContext) => void;

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
/** BCP 47's shape (RFC 5646 2.1), loosely: a tag that is not one is a preference to ignore, not an error. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

const spaceSeparated = (value: string | undefined, keep: (item: string) => boolean = () => true): string[] =>
  value
    ?.split(' ')
    .filter((item) => item !== '' && keep(item))
    .slice(0, 20) ?? [];

const checks: [name: string, check: Check][] = [
  ['parameter lengths', ({ params }) => checkParameterLengths(params)],
  [
    'request objects',
    ({ params }) => {
      if (params.has('request')) throw new OAuthError('request_not_supported', 'Request objects are not supported.');
      if (params.has('request_uri')) throw new OAuthError('request_uri_not_supported', 'request_uri is not supported.');
    },
  ],
  [
    'response_type',
    ({ params, client, impliedResponseType, request }) => {
      const value = params.get('response_type') ?? (impliedResponseType ? 'code' : undefined);
      if (value === undefined) throw invalidRequest('The request has no response_type.');
      if (value !== 'code') throw new OAuthError('unsupported_response_type', 'Only response_type "code" is supported.');
      if (!client.response_types.includes('code')) {
        throw new OAuthError('unauthorized_client', 'The client may not use the authorization code flow.');
      }
      request.response_type = 'code';
    },
  ],
  [
    'response_mode',
    ({ params }) => {
      const mode = params.get('response_mode');
      if (mode !== undefined && mode !== 'query') throw invalidRequest('Only response_mode "query" is supported.');
    },
  ],
  [
    'state',
    ({ params, request }) => {
      const state = params.get('state');
      if (state === undefined) throw invalidRequest('The request has no state; it is required to protect against CSRF.');
      request.state = state;
    },
  ],
  [
    'scope',
    ({ params, client, scopes, request }) => {
      const asked = parseScope(params.get('scope'));
      scopes.assertKnown(asked);
      const allowed = client.scope.split(' ');
      const denied = asked.find((s) => !allowed.includes(s));
      if (denied !== undefined) throw new OAuthError('invalid_scope', `The client may not ask for the scope "${denied}".`);
      request.scope = asked;
    },
  ],
  [
    'audience',
    ({ params, client, request }) => {
      const audience = params.get('audience')?.split(' ').filter(Boolean) ?? [];
      const denied = audience.find((a) => !client.audience.includes(a));
      if (denied !== undefined) throw invalidRequest(`The client may not ask for the audience "${denied}".`);
      request.audience = audience;
    },
  ],
  [
    'PKCE',
    ({ params, client, request }) => {
      const challenge = params.get('code_challenge');
      const method = params.get('code_challenge_method');
      if (challenge === undefined) {
        if (method !== undefined) throw invalidRequest('code_challenge_method was sent without code_challenge.');
        // OAuth 2.1 / RFC 9700 2.1.1: a public client must use PKCE.
        if (client.token_endpoint_auth_method === 'none') {
          throw invalidRequest('This client must use PKCE: send code_challenge and code_challenge_method=S256.');
        }
        request.code_challenge = null;
        request.code_challenge_method = null;
        return;
      }
      if (!isValidChallenge(challenge)) {
        throw invalidRequest('code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 4.2).');
      }
      // RFC 7636 4.3: the method defaults to "plain".
      const resolved = method ?? 'plain';
      if (resolved !== 'S256' && resolved !== 'plain') {
        throw invalidRequest('code_challenge_method must be "S256" or "plain".');
      }
      // RFC 9700 2.1.1: with "plain" the verifier itself crosses the front channel, and a
      // public client has no secret to make up for it. Confidential clients keep "plain",
      // which the Galxe documentation offers.
      if (resolved === 'plain' && client.token_endpoint_auth_method === 'none') {
        throw invalidRequest(
          method === undefined
            ? 'This client must send code_challenge_method=S256 (without it the method is "plain").'
            : 'This client must use code_challenge_method=S256; "plain" is only for confidential clients.',
        );
      }
      request.code_challenge = challenge;
      request.code_challenge_method = resolved;
    },
  ],
  [
    'nonce',
    ({ params, request }) => {
      request.nonce = params.get('nonce') ?? null;
    },
  ],
  [
    'prompt',
    ({ params, request }) => {
      const prompt = params.get('prompt')?.split(' ').filter(Boolean) ?? [];
      const unknown = prompt.find((p) => !PROMPTS.has(p));
      if (unknown !== undefined) throw invalidRequest(`The prompt value "${unknown}" is not supported.`);
      // OIDC Core 3.1.2.1: "none" must stand alone.
      if (prompt.includes('none') && prompt.length > 1) throw invalidRequest('prompt=none cannot be combined with other values.');
      request.prompt = [...new Set(prompt)];
    },
  ],
  [
    'max_age',
    ({ params, request }) => {
      const raw = params.get('max_age');
      if (raw === undefined) {
        request.max_age = null;
        return;
      }
      if (!/^\d{1,10}$/.test(raw)) throw invalidRequest('max_age must be a non-negative whole number of seconds.');
      request.max_age = Number(raw);
    },
  ],
  [
    'display, locales, hints',
    ({ params, request }) => {
      const display = params.get('display');
      if (display !== undefined && !['page', 'popup', 'touch', 'wap'].includes(display)) {
        throw invalidRequest('display must be page, popup, touch or wap.');
      }
      request.display = display ?? null;
      request.ui_locales = spaceSeparated(params.get('ui_locales'), (tag) => LANGUAGE_TAG.test(tag));
      request.acr_values = spaceSeparated(params.get('acr_values'));
      request.login_hint = params.get('login_hint') ?? null;
    },
  ],
];

/** Phase 2: everything else. Errors here are redirected to the client. */
export function validateRequest(
  params: Params,
  target: TrustedTarget,
  scopes: ScopeCatalogue,
  impliedResponseType: boolean,
): AuthorizationRequest {
  const request: Partial<AuthorizationRequest> = {
    redirect_uri: target.redirectUri,
    redirect_uri_sent: target.redirectUriSent,
    id_token_hint_subject: null,
  };
  const ctx: CheckContext = { params, client: target.client, scopes, impliedResponseType, request };
  for (const [, check] of checks) check(ctx);
  return request as AuthorizationRequest;
}

/** RFC 6749 4.1.2 / RFC 9207: append the response to the redirect URI, keeping its query. */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  return url.toString();
}
