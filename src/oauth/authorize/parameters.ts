/**
 * The parameters the authorization endpoint knows (RFC 6749 4.1.1, RFC 7636 4.3, OIDC Core
 * 3.1.2.1, RFC 8707-style audience), each with the longest value it accepts. An anonymous
 * request is stored for TTL_LOGIN_CONSENT_REQUEST, so what it may carry is bounded here:
 * a value over its cap is refused, and a parameter not listed is ignored (RFC 6749 3.1) and
 * left out of the stored request_url.
 */

import { invalidRequest } from '../errors.js';
import type { Params } from '../params.js';

export const AUTHORIZATION_PARAMETERS: Readonly<Record<string, number>> = {
  client_id: 255,
  // Longer than any redirect URI a client may register, so a registered one always fits.
  redirect_uri: 2048,
  response_type: 64,
  response_mode: 64,
  scope: 1024,
  audience: 1024,
  // Clients carry a return path in state; 2 KiB is ample and what Hydra's clients send.
  state: 2048,
  nonce: 512,
  // RFC 7636 4.1: 43 to 128 characters; the method is "S256" or "plain".
  code_challenge: 128,
  code_challenge_method: 16,
  prompt: 64,
  max_age: 10,
  display: 16,
  // OIDC Core 3.1.2.1: space-separated BCP 47 tags; a few tags of 35 characters at most.
  ui_locales: 256,
  claims_locales: 256,
  acr_values: 512,
  // An email address is at most 254 characters (RFC 5321 4.5.3.1), a phone number far less.
  login_hint: 256,
  // An ID token this issuer signed: claims, base64url and signed. Below readParams' 4096, so
  // that the refusal goes back to the client rather than being shown as a page.
  id_token_hint: 4000,
  // Refused with request_not_supported / request_uri_not_supported; capped like the rest.
  request: 4000,
  request_uri: 2048,
  // The browser coming back with the login or consent UI's answer.
  login_verifier: 256,
  consent_verifier: 256,
};

/** Phase 1 parameters: a bad one is shown to the person, never redirected (RFC 6749 4.1.2.1). */
export const TARGET_PARAMETERS = ['client_id', 'redirect_uri'] as const;

/** Refuses a known parameter longer than its cap, among `names` (all known ones by default). */
export function checkParameterLengths(params: Params, names: readonly string[] = Object.keys(AUTHORIZATION_PARAMETERS)): void {
  for (const name of names) {
    const value = params.get(name);
    const max = AUTHORIZATION_PARAMETERS[name];
    if (value !== undefined && max !== undefined && value.length > max) {
      throw invalidRequest(`The "${name}" parameter is longer than ${max} characters.`);
    }
  }
}

/**
 * The request as the login UI is shown it (Hydra's request_url): the endpoint's URL with the
 * known parameters only. Built from the parameters rather than copied from the request line,
 * so unknown parameters are not stored and a POSTed request has its parameters too.
 */
export function storedRequestUrl(endpoint: string, params: Params): string {
  const query = new URLSearchParams();
  for (const name of params.names()) {
    if (Object.hasOwn(AUTHORIZATION_PARAMETERS, name) && name !== 'login_verifier' && name !== 'consent_verifier') {
      query.append(name, params.get(name) as string);
    }
  }
  const text = query.toString();
  return text ? `${endpoint}?${text}` : endpoint;
}
