/** Every event Gatehouse emits becomes one audit log entry: who, when, what, on what. */
import type { EventBus, StampedEvent } from '../events/events.js';
import type { AuditLog, NewAuditEntry } from './audit-log.js';

/** The entry for an event: the target is the client, key, session or account it is about. */
export function auditEntryOf(event: StampedEvent): NewAuditEntry {
  const { type, at, actor, ...fields } = event;
  const details: Record<string, unknown> = { ...fields };
  let target: NewAuditEntry['target'];
  if ('clientId' in fields && fields.clientId) {
    target = { type: 'client', id: fields.clientId };
    delete details.clientId;
  } else if ('tokenId' in fields) {
    target = { type: 'initial_access_token', id: fields.tokenId };
    delete details.tokenId;
  } else if ('kid' in fields) {
    target = { type: 'key', id: String(fields.kid) };
    delete details.kid;
  } else if ('accountId' in fields && typeof fields.accountId === 'string') {
    target = { type: 'account', id: fields.accountId };
    delete details.accountId;
  } else if ('subject' in fields && fields.subject) {
    target = { type: 'account', id: fields.subject };
    delete details.subject;
  }
  for (const [key, value] of Object.entries(details)) if (value === undefined) delete details[key];
  return { at, action: type, actor: { type: actor.type, id: actor.id }, target, ip: actor.ip, details };
}

/** Subscribes the audit log to the event bus; a write that fails is reported, never thrown. */
export function recordEventsIn(bus: EventBus, log: AuditLog): () => void {
  return bus.on((event) => log.record(auditEntryOf(event)));
}
