/**
 * The checks on a browser that comes back to the authorization endpoint with a login or
 * consent verifier: the flow is live and was started in this browser (its per-flow CSRF
 * cookie), and its client may still be sent an answer at its redirect URI.
 */
import type { ClientStore } from '../clients/store.js';
import { hashesMatch, hashSecret } from '../crypto/tokens.js';
import type { Client, Flow } from '../db/schema.js';
import { invalidRequest, OAuthError } from '../oauth/errors.js';
import { type ApplicationType, matchRedirectUri } from '../oauth/redirect-uri.js';
import { AUTHORIZE_PATH, type CookieChange, flowCsrfCookie } from './context.js';

/** The flow a verifier named, if it is live and this browser started it. */
export function verifiedFlow<F extends Flow>(flow: F | undefined, cookies: Record<string, string | undefined>, now: number): F {
  if (!flow || flow.expires_at.getTime() <= now || flow.state === 'done') {
    throw invalidRequest('The authorization request has expired or was already completed. Please start again.');
  }
  const csrf = cookies[flowCsrfCookie(flow.id)];
  if (!csrf || !hashesMatch(hashSecret(csrf), flow.csrf_hash)) {
    throw invalidRequest('This sign-in was started in another browser, or its cookie is missing. Please start again.', {
      debug: 'flow CSRF cookie missing or wrong',
    });
  }
  return flow;
}

/**
 * The flow's client, checked again before the browser is sent back to it, with a code or
 * with an error: it must still be approved, and the redirect URI still registered. Minutes
 * may have passed since the request was checked, and an operator who suspends a client, or
 * removes a URI, means it at once. Otherwise an error page, never a redirect.
 */
export async function trustedTarget(clients: Pick<ClientStore, 'findCached'>, flow: Flow): Promise<Client> {
  const client = await clients.findCached(flow.client_id);
  if (client?.status !== 'approved') {
    throw new OAuthError('unauthorized_client', 'This application is no longer allowed to sign people in.', {
      status: 403,
      debug: `client status is ${client?.status ?? 'deleted'}`,
    });
  }
  const uri = flow.request.redirect_uri;
  if (matchRedirectUri(uri, client.redirect_uris, client.application_type as ApplicationType) === undefined) {
    throw invalidRequest('The redirect_uri of this request is no longer registered for the application. Please start again.');
  }
  return client;
}

/** The flow's CSRF cookie, cleared once the flow has sent the browser back to its client. */
export function clearCsrf(flow: Flow): CookieChange {
  return { name: flowCsrfCookie(flow.id), value: null, path: AUTHORIZE_PATH, signed: false };
}
