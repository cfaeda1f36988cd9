/** The console's audit log page: the filters read from the query, a page of entries, the people they name. */
import { invalidRequest } from '../../oauth/errors.js';
import { auditPage } from '../../ui/pages/console-audit.js';
import { queryOf } from '../ui/ui-support.js';
import type { ConsoleArea } from './console-frame.js';

const ACTION = /^[A-Za-z0-9_.]{1,100}$/;

export const auditRoutes: ConsoleArea = (guarded, frame) => {
  guarded.get('/admin/ui/audit', async (request, reply) => {
    const query = queryOf(request);
    const action = (query.get('action') ?? '').trim();
    const target = (query.get('target') ?? '').trim();
    const actor = (query.get('actor') ?? '').trim();
    const before = query.get('before');
    if (before !== undefined && !/^\d{1,18}$/.test(before)) throw invalidRequest('The page link is malformed.');
    const actionOk = action === '' || ACTION.test(action);
    // "client" means the family "client."; a dotted name is exact unless it ends with the dot.
    const actionFilter = action === '' || !actionOk ? undefined : action.includes('.') ? action : `${action}.`;
    const found = actionOk
      ? await frame.views.auditPage({
          ...(before ? { before } : {}),
          ...(actionFilter ? { action: actionFilter } : {}),
          ...(target ? { targetId: target } : {}),
          ...(actor ? { actorId: actor } : {}),
        })
      : { entries: [], people: new Map<string, string>() };
    const body = auditPage({
      ...found,
      action,
      target,
      actor,
      paged: before !== undefined,
      error: actionOk ? undefined : 'An action is made of letters, digits, "_" and ".", such as client.status_changed.',
    });
    return frame.send(reply, request, { title: 'Audit log', body, current: 'audit' });
  });
};
