/** Cookies: HttpOnly, SameSite=Lax, Secure when the issuer is https; signed where asked. */
import fastifyCookie, { type CookieSerializeOptions } from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieChange } from '../flows/context.js';

/**
 * Cookie parsing and signing, and double-submit CSRF tokens for forms (their cookie signed
 * too), in the scope of the routes that browsers visit. Registered there, not on the whole
 * app: the plugin adds an onRequest and an onSend hook to every route of its scope, and the
 * token, introspection and userinfo endpoints read no cookie (nor should they).
 */
export async function installBrowserCookies(
  scope: FastifyInstance,
  secrets: string[],
  csrf: { cookieKey: string; cookieOpts: CookieSerializeOptions },
): Promise<void> {
  await scope.register(fastifyCookie, { secret: secrets });
  await scope.register(fastifyCsrf, {
    cookieKey: csrf.cookieKey,
    cookieOpts: { ...csrf.cookieOpts, httpOnly: true, signed: true },
    getToken: (request) => {
      const token = (request.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
}

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
