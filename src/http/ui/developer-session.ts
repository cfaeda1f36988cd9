/**
 * Signing in to the developer portal. The portal is a first-party client of this very server
 * (src/clients/first-party.ts) and goes through the normal authorization code flow with PKCE:
 * state and verifier wait in a short-lived signed cookie, the callback checks state and `iss`
 * (RFC 9207), and redeems the code at the real token endpoint service.
 *
 * The portal session is the access token that flow issued, kept in a signed HttpOnly cookie
 * and looked up on every request. Signing out revokes it, so a copied cookie dies with the
 * session, and revoking the portal on the account page ends the session too.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEVELOPER_PORTAL_CLIENT_ID, developerPortalClient } from '../../clients/first-party.js';
import { challengeFor } from '../../crypto/pkce.js';
import { newSecret, safeEqual } from '../../crypto/tokens.js';
import type { Account } from '../../db/schema.js';
import { GatehouseError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import type { Gatehouse } from '../../gatehouse.js';
import { readParams } from '../../oauth/params.js';
import { clientNetwork } from '../client-network.js';
import { applyCookies, signedCookie } from '../cookies.js';
import { queryOf, sendError } from './ui-support.js';

export const PORTAL_PATH = '/ui/developers';
export const PORTAL_COOKIE = 'gatehouse_portal';
/** A portal session lasts at most this long (or the access token's life, if shorter). */
export const PORTAL_SESSION_SECONDS = 8 * 3600;
/** One sign-in cookie per attempt, named after its state, so that several tabs do not clash. */
const SIGN_IN_COOKIE = 'gatehouse_portal_signin_';
const signInCookie = (state: string) => SIGN_IN_COOKIE + state.slice(0, 12);

export interface Developer {
  account: Account;
  /** What the page shows as "signed in as". */
  who: string;
  token: string;
  grantId: string | null;
}

interface PortalSession {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

/** Only a portal page may be returned to after signing in (no open redirect). */
const PORTAL_PAGE = /^\/ui\/developers(?:\/[A-Za-z0-9._~-]+)*$/;
const safeReturn = (path: string | undefined): string => (path && PORTAL_PAGE.test(path) ? path : PORTAL_PATH);

function parseJson<T>(value: string | undefined, valid: (v: Partial<T>) => boolean): T | undefined {
  if (value === undefined) return undefined;
  let parsed: Partial<T> | null;
  try {
    parsed = JSON.parse(value) as Partial<T> | null;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  return parsed !== null && typeof parsed === 'object' && valid(parsed) ? (parsed as T) : undefined;
}

export function developerSessions(gh: Gatehouse) {
  const secure = gh.config.issuer.startsWith('https:');
  const client = developerPortalClient(gh.config.issuer);
  const setCookie = (reply: FastifyReply, name: string, value: string | null, maxAge?: number) =>
    applyCookies(reply, [{ name, value, path: PORTAL_PATH, maxAge, signed: true }], secure);

  /** The signed-in developer, or undefined (no cookie, a revoked or expired session, a deleted account). */
  async function current(request: FastifyRequest): Promise<Developer | undefined> {
    const session = parseJson<PortalSession>(
      signedCookie(request, PORTAL_COOKIE),
      (v) => typeof v.token === 'string' && typeof v.expiresAt === 'number',
    );
    if (!session || session.expiresAt <= gh.now()) return undefined;
    const active = await gh.tokens.active(session.token);
    if (active?.kind !== 'access' || active.clientId !== DEVELOPER_PORTAL_CLIENT_ID || !active.subject) return undefined;
    const account = await gh.login.accounts.find(active.subject);
    if (!account) return undefined;
    return { account, who: account.email ?? account.phone ?? account.id, token: session.token, grantId: active.grantId };
  }

  /** Sends the browser to sign in through /oauth2/auth, to come back to `returnTo`. */
  async function startSignIn(reply: FastifyReply, returnTo: string) {
    const state = newSecret('challenge');
    const verifier = newSecret('challenge');
    const pending: PendingSignIn = { state, verifier, returnTo: safeReturn(returnTo) };
    setCookie(reply, signInCookie(state), JSON.stringify(pending), gh.config.flowTtl);
    const query = new URLSearchParams({
      client_id: client.id,
      response_type: 'code',
      redirect_uri: client.redirectUri,
      scope: client.scope,
      state,
      code_challenge: challengeFor(verifier, 'S256'),
      code_challenge_method: 'S256',
    });
    return reply.redirect(`/oauth2/auth?${query}`, 303);
  }

  /**
   * The developer of this request, named as the actor of everything it does; or undefined
   * once the browser has been sent to sign in (coming back to this page when it was a GET).
   */
  async function requireDeveloper(request: FastifyRequest, reply: FastifyReply): Promise<Developer | undefined> {
    const developer = await current(request);
    if (developer) {
      identify(request.actor, 'developer', developer.account.id);
      return developer;
    }
    // A stale cookie is dropped rather than sent again with every request.
    if (request.cookies[PORTAL_COOKIE] !== undefined) setCookie(reply, PORTAL_COOKIE, null);
    await startSignIn(reply, request.method === 'GET' ? (request.url.split('?')[0] ?? PORTAL_PATH) : PORTAL_PATH);
    return undefined;
  }

  /** GET /ui/developers/callback: the end of the code flow. */
  async function finishSignIn(request: FastifyRequest, reply: FastifyReply) {
    const query = queryOf(request);
    const state = query.get('state');
    const cookieName = state ? signInCookie(state) : undefined;
    const pending = parseJson<PendingSignIn>(
      cookieName ? signedCookie(request, cookieName) : undefined,
      (v) => typeof v.state === 'string' && typeof v.verifier === 'string' && typeof v.returnTo === 'string',
    );
    if (cookieName && request.cookies[cookieName] !== undefined) setCookie(reply, cookieName, null);
    const again = (status: number, error: string, description: string) =>
      sendError(reply, status, error, description, PORTAL_PATH);

    if (!state || !pending || !safeEqual(pending.state, state)) {
      return again(
        400,
        'invalid_state',
        `This sign-in has expired, or was started in another browser. Start again from the developer portal (${gh.config.issuer}${PORTAL_PATH}).`,
      );
    }
    // RFC 9207: the answer must come from this issuer, not one a mix-up attack substituted.
    if (query.get('iss') !== gh.config.issuer) {
      return again(400, 'invalid_issuer', 'The sign-in answer did not come from this server. Start again.');
    }
    const error = query.get('error');
    if (error !== undefined) {
      // The description is not echoed: anyone can craft this URL, and the page must not say what they wrote.
      const code = /^[a-z_]{1,64}$/.test(error) ? error : 'invalid_request';
      return error === 'access_denied'
        ? again(403, code, 'Signing in to the developer portal was cancelled or refused. You can try again.')
        : again(400, code, 'Gatehouse could not sign you in to the developer portal. Try again.');
    }
    const code = query.get('code');
    if (code === undefined) return again(400, 'invalid_request', 'The sign-in answer has no authorization code. Start again.');

    let tokens: Awaited<ReturnType<typeof gh.tokenEndpoint.handle>>;
    try {
      tokens = await gh.tokenEndpoint.handle({
        actor: request.actor,
        authorization: undefined,
        params: readParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: client.redirectUri,
          client_id: client.id,
          code_verifier: pending.verifier,
        }),
        lenientRedirectUri: false,
        address: clientNetwork(gh, request),
      });
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.status >= 500) throw err;
      return again(400, err.error, `${err.description} Start again.`);
    }
    const active = await gh.tokens.active(tokens.access_token);
    if (!active?.subject) return again(400, 'invalid_grant', 'The sign-in did not name an account. Start again.');
    identify(request.actor, 'developer', active.subject);
    const lifetime = Math.min(PORTAL_SESSION_SECONDS, tokens.expires_in);
    const session: PortalSession = { token: tokens.access_token, expiresAt: gh.now() + lifetime * 1000 };
    setCookie(reply, PORTAL_COOKIE, JSON.stringify(session), lifetime);
    return reply.redirect(safeReturn(pending.returnTo), 303);
  }

  /** Ends the portal session for good: the token behind the cookie is revoked, then the cookie cleared. */
  async function signOut(reply: FastifyReply, developer: Developer) {
    identify(reply.request.actor, 'developer', developer.account.id);
    await gh.revocation.endSession(developer.token, developer.grantId, 'signed out of the developer portal');
    setCookie(reply, PORTAL_COOKIE, null);
  }

  return { current, requireDeveloper, finishSignIn, signOut };
}
