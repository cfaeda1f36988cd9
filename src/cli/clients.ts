/**
 * `gatehouse clients …`: register, list, read, approve, reject, suspend, reinstate and delete
 * clients, decide their developers' pending changes and rotate their secrets, through the
 * admin API.
 */

import type { ClientJson } from '../clients/clients.js';
import type { Decision } from '../clients/review.js';
import type { AdminClient } from './admin-client.js';
import { type Invocation, tabulate } from './command.js';
import { UsageError } from './usage-error.js';

export async function clientsCommand(api: AdminClient, { sub, id, values, print }: Invocation): Promise<number> {
  const needId = () => {
    if (!id) throw new UsageError(`clients ${sub} needs a client id`);
    return encodeURIComponent(id);
  };
  // The review's decisions, under the console's rules (a reason where it asks for one).
  const decide = async (decision: Decision) => {
    const client = await api.request<ClientJson>('POST', `/admin/clients/${needId()}/decisions`, {
      decision,
      ...(values.reason ? { reason: values.reason } : {}),
    });
    print(client, () => `${client.client_id} is now ${client.status}`);
    return 0;
  };
  switch (sub) {
    case 'create': {
      const method = values.public ? 'none' : (values['auth-method'] as string | undefined);
      const body = {
        ...(values['client-id'] ? { client_id: values['client-id'] } : {}),
        ...(values.name ? { client_name: values.name } : {}),
        ...(values['redirect-uri'] ? { redirect_uris: values['redirect-uri'] } : {}),
        ...(values['post-logout-uri'] ? { post_logout_redirect_uris: values['post-logout-uri'] } : {}),
        ...(values.scope !== undefined ? { scope: values.scope } : {}),
        ...(values['grant-type'] ? { grant_types: values['grant-type'] } : {}),
        ...(method ? { token_endpoint_auth_method: method } : {}),
        ...(values['skip-consent'] ? { skip_consent: true } : {}),
        ...(values.status ? { status: values.status } : {}),
      };
      const client = await api.request<ClientJson>('POST', '/admin/clients', body);
      print(client, () =>
        [
          `client_id:     ${client.client_id}`,
          ...(client.client_secret ? [`client_secret: ${client.client_secret}   (shown once: store it now)`] : []),
          `status:        ${client.status}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'list': {
      const query = values.status ? `?status=${encodeURIComponent(values.status as string)}` : '';
      const clients = await api.request<ClientJson[]>('GET', `/admin/clients${query}`);
      print(clients, () =>
        tabulate(clients, 'no clients', (c) => [c.client_id, c.status, c.client_name, c.redirect_uris.join(' ')]),
      );
      return 0;
    }
    case 'get': {
      const client = await api.request<ClientJson>('GET', `/admin/clients/${needId()}`);
      print(client, () => JSON.stringify(client, null, 2));
      return 0;
    }
    case 'approve':
      return decide('approve');
    case 'reject':
      return decide('reject');
    case 'suspend':
      return decide('suspend');
    case 'reinstate':
      return decide('reinstate');
    case 'approve-changes':
    case 'reject-changes': {
      const decision = sub === 'approve-changes' ? 'approve' : 'reject';
      const client = await api.request<ClientJson>('PUT', `/admin/clients/${needId()}/pending-changes`, {
        decision,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      print(client, () => `${client.client_id}: changes ${decision === 'approve' ? 'applied' : 'dropped'}`);
      return 0;
    }
    case 'rotate-secret': {
      const client = await api.request<ClientJson>('POST', `/admin/clients/${needId()}/secret`);
      print(client, () => `client_secret: ${client.client_secret}   (shown once: store it now)`);
      return 0;
    }
    case 'delete': {
      await api.request('DELETE', `/admin/clients/${needId()}`);
      print({ deleted: id }, () => `deleted ${id}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "clients ${sub ?? ''}"`);
  }
}
