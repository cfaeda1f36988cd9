/**
 * The addresses this browser proved by entering a code: a signed cookie of keyed tags, each
 * with its expiry (LOGIN_CODE_REMEMBER_ADDRESS). It lets the person past the limits that a
 * stranger can run up on their address (code-limits.ts): a stranger cannot get it without
 * receiving a code sent to that address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { applyCookies, signedCookie } from '../cookies.js';

export const PROVED_COOKIE = 'gatehouse_proved';

/** A browser shared by a family or a desk keeps a few; the oldest goes first. */
const MAX_ADDRESSES = 5;

/** `tag~expiresAtSeconds` entries, comma-separated (tags are base64url, so neither sign occurs in them). */
function read(request: FastifyRequest, now: number): Map<string, number> {
  const entries = new Map<string, number>();
  for (const entry of (signedCookie(request, PROVED_COOKIE) ?? '').split(',')) {
    const [tag, expires] = entry.split('~');
    const at = Number(expires) * 1000;
    if (tag && Number.isFinite(at) && at > now) entries.set(tag, at);
  }
  return entries;
}

/** The tags this browser holds, unexpired. */
export function provedTags(request: FastifyRequest, now: number): ReadonlySet<string> {
  return new Set(read(request, now).keys());
}

/** Adds (or renews) `tag` for `ttlSeconds`, keeping the newest MAX_ADDRESSES. */
export function rememberProved(
  request: FastifyRequest,
  reply: FastifyReply,
  tag: string,
  options: { now: number; ttlSeconds: number; secure: boolean },
): void {
  const entries = read(request, options.now);
  entries.delete(tag);
  entries.set(tag, options.now + options.ttlSeconds * 1000);
  const kept = [...entries].sort((a, b) => b[1] - a[1]).slice(0, MAX_ADDRESSES);
  const value = kept.map(([t, at]) => `${t}~${Math.floor(at / 1000)}`).join(',');
  applyCookies(reply, [{ name: PROVED_COOKIE, value, path: '/ui', maxAge: options.ttlSeconds, signed: true }], options.secure);
}
