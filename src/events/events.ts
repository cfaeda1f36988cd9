/**
 * Security-relevant events, typed. Services emit; subscribers (the log, the audit log, the
 * emails to developers) decide what to do with them, in one place.
 */
import type { Actor } from './actor.js';

export type GatehouseEvent =
  | { type: 'client.created'; clientId: string; status: string }
  | { type: 'client.updated'; clientId: string }
  | { type: 'client.deleted'; clientId: string }
  | { type: 'client.status_changed'; clientId: string; from: string; to: string; reason?: string | undefined }
  | { type: 'client.secret_rotated'; clientId: string }
  | { type: 'client.changes_requested'; clientId: string; fields: string[] }
  | { type: 'client.changes_approved'; clientId: string; fields: string[] }
  | { type: 'client.changes_rejected'; clientId: string; fields: string[]; reason?: string | undefined }
  | { type: 'key.rotated'; kids: string[] }
  | { type: 'key.deleted'; kid: string }
  | { type: 'login.accepted'; subject: string; clientId: string }
  | { type: 'login.rejected'; clientId: string; error: string }
  | { type: 'consent.accepted'; subject: string; clientId: string; scope: string[] }
  | { type: 'consent.rejected'; subject: string; clientId: string; error: string }
  | { type: 'consent.revoked'; subject: string; clientId?: string | undefined }
  | { type: 'session.revoked'; subject?: string | undefined; sessionId?: string | undefined }
  | { type: 'code.replayed'; clientId: string; grantId: string }
  | { type: 'refresh_token.reused'; clientId: string; grantId: string }
  | { type: 'token.revoked'; clientId: string; kind: string }
  | { type: 'client.authentication_failed'; clientId: string }
  | { type: 'account.created'; accountId: string; via: 'email' | 'sms' | 'whatsapp' }
  | { type: 'account.two_factor_enabled'; accountId: string }
  | { type: 'account.two_factor_disabled'; accountId: string }
  | { type: 'account.recovery_code_used'; accountId: string; left: number; purpose?: string }
  | { type: 'account.recovery_codes_regenerated'; accountId: string }
  | { type: 'account.two_factor_failed'; accountId: string; purpose?: string }
  | { type: 'identity.linked'; accountId: string; kind: string; name: string }
  | { type: 'identity.unlinked'; accountId: string; kind: string; name: string }
  | { type: 'console.signed_in'; operator: string }
  | { type: 'console.sign_in_failed'; claimed: string }
  | { type: 'initial_access_token.created'; tokenId: string }
  | { type: 'initial_access_token.deleted'; tokenId: string }
  | { type: 'initial_access_token.used'; tokenId: string; clientId: string };

/** An event as subscribers see it: when, and who was acting. */
export type StampedEvent = GatehouseEvent & { at: Date; actor: Actor };

export interface EventSink {
  /** Resolves once every subscriber has handled the event; never rejects. */
  emit(event: GatehouseEvent, actor: Actor): Promise<void>;
}

export type EventListener = (event: StampedEvent) => void | Promise<void>;

export class EventBus implements EventSink {
  private readonly listeners: EventListener[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown, event: StampedEvent) => void = () => {},
  ) {}

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  async emit(event: GatehouseEvent, actor: Actor): Promise<void> {
    // A copy: a request's actor is narrowed later (identify) and must not rewrite this event.
    const stamped = { ...event, at: new Date(this.now()), actor: { ...actor } } as StampedEvent;
    // Awaited so that when a request answers, its audit entry is written; a failing subscriber
    // is reported but never fails the action that emitted the event.
    await Promise.all(
      this.listeners.map(async (listener) => {
        try {
          await listener(stamped);
        } catch (err) {
          this.onError(err, stamped);
        }
      }),
    );
  }
}
