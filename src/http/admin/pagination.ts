/**
 * Hydra's keyset pagination for the admin API's lists: the query asks for one row more than
 * the page holds, and when it comes the Link header (RFC 8288) names the next page, whose
 * page_token is the last row's id.
 */
import type { FastifyReply } from 'fastify';

export function keysetPage<T extends { id: string }>(
  reply: FastifyReply,
  path: string,
  query: object,
  rows: readonly T[],
  limit: number,
): T[] {
  const page = rows.slice(0, limit);
  if (rows.length > limit) {
    const next = new URLSearchParams({
      ...(query as Record<string, string>),
      page_size: String(limit),
      page_token: page.at(-1)?.id ?? '',
    });
    reply.header('Link', `<${path}?${next}>; rel="next"`);
  }
  return page;
}
