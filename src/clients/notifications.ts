/**
 * Tells developers what an operator decided about their application: approved, rejected,
 * suspended, reinstated, changes approved or not. Sent by email through the login app's
 * delivery (SMTP, or the dev outbox) to the application's contact addresses and the email of
 * the account that registered it.
 */
import type { AccountStore } from '../accounts/account-store.js';
import type { Delivery } from '../delivery/delivery.js';
import { type ApplicationNotice, applicationMessage } from '../delivery/templates.js';
import type { EventBus, StampedEvent } from '../events/events.js';
import type { ClientStore } from './store.js';

export interface NotificationDeps {
  clients: ClientStore;
  accounts: AccountStore;
  delivery: Delivery;
  issuer: string;
  locale?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The notice an event calls for, if any. */
export function noticeFor(event: StampedEvent): { notice: ApplicationNotice; reason?: string | undefined } | undefined {
  if (event.type === 'client.status_changed') {
    if (event.to === 'approved') return { notice: event.from === 'suspended' ? 'reinstated' : 'approved' };
    if (event.to === 'rejected' || event.to === 'suspended') return { notice: event.to, reason: event.reason };
    return undefined;
  }
  if (event.type === 'client.changes_approved') return { notice: 'changes_approved' };
  if (event.type === 'client.changes_rejected') return { notice: 'changes_rejected', reason: event.reason };
  return undefined;
}

export function notifyDevelopers(bus: EventBus, deps: NotificationDeps): () => void {
  return bus.on(async (event) => {
    const wanted = noticeFor(event);
    const clientId = 'clientId' in event ? event.clientId : undefined;
    if (!wanted || !clientId) return;
    const client = await deps.clients.find(clientId);
    // Only applications with a developer behind them: an operator's own clients need no email.
    if (!client || (client.developer_account_id === null && client.contacts.length === 0)) return;
    const developer = client.developer_account_id ? await deps.accounts.find(client.developer_account_id) : undefined;
    const recipients = new Set(
      [...client.contacts, developer?.email ?? ''].map((a) => a.trim().toLowerCase()).filter((a) => EMAIL.test(a)),
    );
    const message = applicationMessage(deps.locale ?? 'en', {
      ...wanted,
      appName: client.name || client.id,
      clientId: client.id,
      portalUrl: `${deps.issuer}/ui/developers/apps/${encodeURIComponent(client.id)}`,
    });
    // One failed address must not keep the others from hearing; the bus reports the failure.
    const results = await Promise.allSettled(
      [...recipients].map((to) => deps.delivery.send({ channel: 'email', to, subject: message.subject, text: message.text })),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
}
