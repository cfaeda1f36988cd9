/** Cookies: HttpOnly, SameSite=Lax, Secure when the issuer is https; signed where asked. */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieChange } from '../flows/context.js';

export function applyCookies(reply: FastifyReply, changes: CookieChange[], secure: boolean): void {
  for (const change of changes) {
    const options = { path: change.path, httpOnly: true, sameSite: 'lax' as const, secure, signed: change.signed };
    if (change.value === null) reply.clearCookie(change.name, options);
    else
      reply.setCookie(change.name, change.value, {
        ...options,
        ...(change.maxAge !== undefined ? { maxAge: change.maxAge } : {}),
      });
  }
}

/** The value of a signed cookie, or undefined when it is missing or its signature is wrong. */
export function signedCookie(request: FastifyRequest, name: string): string | undefined {
  const raw = request.cookies[name];
  if (raw === undefined) return undefined;
  const result = request.unsignCookie(raw);
  return result.valid && result.value !== null ? result.value : undefined;
}

/** Plain and signed cookies, as flows read them (signed ones verified). */
export function readCookies(request: FastifyRequest, signedNames: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...request.cookies };
  for (const name of signedNames) out[name] = signedCookie(request, name);
  return out;
}
