/**
 * Security-relevant events, typed. Handlers emit; subscribers (the log today, the audit log
 * later) decide what to keep, in one place.
 */
export type GatehouseEvent =
  | { type: 'client.created'; clientId: string; status: string }
  | { type: 'client.updated'; clientId: string }
  | { type: 'client.deleted'; clientId: string }
  | { type: 'client.status_changed'; clientId: string; from: string; to: string; reason?: string | undefined }
  | { type: 'client.secret_rotated'; clientId: string }
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
  | { type: 'client.authentication_failed'; clientId: string };

export interface EventSink {
  emit(event: GatehouseEvent): void;
}

export type EventListener = (event: GatehouseEvent & { at: Date }) => void;

export class EventBus implements EventSink {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: GatehouseEvent): void {
    const stamped = { ...event, at: new Date(this.now()) };
    for (const listener of this.listeners) {
      try {
        listener(stamped);
      } catch {
        // A failing subscriber must not break the request that emitted the event.
      }
    }
  }
}
