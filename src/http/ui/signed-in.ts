/**
 * Who a browser is signed in as on the account pages: its login session (the session cookie
 * is the only credential) and that session's account, named as the actor of what follows.
 */
import type { FastifyRequest } from 'fastify';
import type { Account, LoginSession } from '../../db/schema.js';
import { identify } from '../../events/actor.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { signedCookie } from '../cookies.js';

export interface SignedIn {
  session: LoginSession;
  account: Account;
}

/** Undefined for a browser that is not signed in (or whose account is gone): the caller sends it to sign in. */
export async function signedIn(gh: Gatehouse, request: FastifyRequest): Promise<SignedIn | undefined> {
  const session = await gh.login.sessions.find(signedCookie(request, SESSION_COOKIE));
  const account = session ? await gh.login.accounts.find(session.subject) : undefined;
  if (!session || !account) return undefined;
  identify(request.actor, 'account', account.id);
  return { session, account };
}
