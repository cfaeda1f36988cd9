/**
 * Tells developers what an operator decided about their application: approved, rejected,
 * suspended, reinstated, changes approved or not. Sent by email through the login app's
 * delivery (SMTP, or the dev outbox) to the application's contact addresses and the email of
 * the account that registered it.
 */
import type { AccountStore } from '../accounts/account-store.js';
import type { ClientStatus } from '../db/schema.js';
import type { Delivery } from '../delivery/delivery.js';
import { type ApplicationNotice, applicationMessage } from '../delivery/templates.js';
import type { EventBus, StampedEvent } from '../events/events.js';
import { CHANGE_DECISIONS, DECISIONS, decisionBetween } from './review.js';
import type { ClientStore } from './store.js';

export interface NotificationDeps {
  clients: ClientStore;
  accounts: AccountStore;
  delivery: Delivery;
  issuer: string;
  locale?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The notice an event calls for, if any: the one its decision names (review.ts), with the reason it needed. */
export function noticeFor(event: StampedEvent): { notice: ApplicationNotice; reason?: string | undefined } | undefined {
  const decision =
    event.type === 'client.status_changed' ? decisionBetween(event.from as ClientStatus, event.to as ClientStatus) : undefined;
  const rule =
    decision !== undefined
      ? DECISIONS.get(decision)
      : event.type === 'client.changes_approved'
        ? CHANGE_DECISIONS.get('approve')
        : event.type === 'client.changes_rejected'
          ? CHANGE_DECISIONS.get('reject')
          : undefined;
  if (!rule) return undefined;
  return rule.reasonRequired && 'reason' in event ? { notice: rule.notice, reason: event.reason } : { notice: rule.notice };
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
