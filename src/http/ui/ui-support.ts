/** What every page route shares: rendering with the page policy, forms, CSRF, client address limits. */

import type {} from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type GatehouseError, isRefusal, tooManyRequests } from '../../errors.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type Params, type RawParams, readParams } from '../../oauth/params.js';
import type { SafeHtml } from '../../ui/html.js';
import { layout, type PolicyOptions, pageHeaders } from '../../ui/layout.js';
import { errorPage } from '../../ui/pages/messages.js';
import { clientNetwork } from '../client-network.js';

export interface RenderOptions extends PolicyOptions {
  title: string;
  status?: number;
  wide?: boolean;
  scripts?: string[];
}

export function sendPage(reply: FastifyReply, body: SafeHtml, options: RenderOptions) {
  return reply
    .status(options.status ?? 200)
    .headers(pageHeaders(options))
    .type('text/html; charset=utf-8')
    .send(
      layout({
        title: options.title,
        body,
        ...(options.wide ? { wide: true } : {}),
        ...(options.scripts ? { scripts: options.scripts } : {}),
      }),
    );
}

export function sendError(reply: FastifyReply, status: number, error: string, description: string, restart?: string) {
  return sendPage(reply, errorPage(error, description, restart), { title: 'Something went wrong', status });
}

/**
 * `err` when it is a refusal a page may show (its description is written for the person);
 * anything else, a server fault included, is thrown on to the error handler.
 */
export function refusalOf(err: unknown): GatehouseError {
  if (isRefusal(err)) return err;
  throw err;
}

/** A form post's fields (repeated fields refused, as everywhere). */
export function formOf(request: FastifyRequest): Params {
  return readParams((request.body ?? {}) as RawParams);
}

export function queryOf(request: FastifyRequest): Params {
  return readParams(request.query as RawParams);
}

/** The CSRF token for the page's forms (double-submit, with a signed cookie). */
export const csrfToken = (reply: FastifyReply): string => reply.generateCsrf();

/** Origins a redirect may reach after a form post (CSP form-action). */
export function originsOf(uris: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const uri of uris) {
    // Registered URIs are validated; nothing to add for a malformed one.
    if (!URL.canParse(uri)) continue;
    const url = new URL(uri);
    if (url.protocol === 'https:' || url.protocol === 'http:') origins.add(url.origin);
    else origins.add(`${url.protocol}`);
  }
  return [...origins];
}

/** The window of limitByAddress's default ceiling: 30 posts a minute from one address. */
export const ADDRESS_WINDOW_SECONDS = 60;

/**
 * A per-address ceiling on form posts, shared by every node through the database, counted
 * per network (clientNetwork). The per-identifier limits on codes live with the codes.
 */
export async function limitByAddress(
  gh: Gatehouse,
  request: FastifyRequest,
  bucket: string,
  limit = 30,
  windowSeconds = ADDRESS_WINDOW_SECONDS,
) {
  const result = await gh.login.limiter.hit(`ui:${bucket}:${clientNetwork(gh, request)}`, limit, windowSeconds);
  if (!result.allowed) {
    throw tooManyRequests(
      `Too many attempts from your network. Try again in ${result.retryAfterSeconds} seconds.`,
      result.retryAfterSeconds,
    );
  }
}

/**
 * A same-site path under /ui/ to return to after a detour (linking an identity from the
 * consent page), or undefined. Anything that a browser could read as another origin is refused.
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (!value || value.length > 2000) return undefined;
  if (!value.startsWith('/ui/') || value.includes('\\') || value.includes('//')) return undefined;
  // Control characters and whitespace can make browsers resolve a path differently.
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) <= 32 || value.charCodeAt(i) === 127) return undefined;
  if (!URL.canParse(value, 'https://gatehouse.invalid')) return undefined;
  const resolved = new URL(value, 'https://gatehouse.invalid');
  if (resolved.origin !== 'https://gatehouse.invalid' || !resolved.pathname.startsWith('/ui/')) return undefined;
  return resolved.pathname + resolved.search;
}
