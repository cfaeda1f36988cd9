/** GET /admin/audit: the audit log, newest first, with Hydra-style keyset pagination. */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { keysetPage } from './pagination.js';
import { AuditQuery } from './schemas.js';

export async function auditRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/admin/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log: administrative actions and security events, newest first',
        querystring: AuditQuery,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = q.page_size ?? 100;
      const entries = await gh.audit.list({
        limit: limit + 1,
        ...(q.page_token ? { before: q.page_token } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.target_type ? { targetType: q.target_type } : {}),
        ...(q.target_id ? { targetId: q.target_id } : {}),
        ...(q.since ? { since: new Date(q.since) } : {}),
        ...(q.until ? { until: new Date(q.until) } : {}),
      });
      return keysetPage(reply, '/admin/audit', q, entries, limit);
    },
  );
}
