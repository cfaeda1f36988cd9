/** An entry as services record it; the log stamps its id and may fold it (folding.ts). */
import type { ActorType } from '../events/actor.js';

export interface NewAuditEntry {
  at: Date;
  action: string;
  actor: { type: ActorType; id?: string | undefined };
  target?: { type: string; id: string } | undefined;
  ip?: string | undefined;
  details?: Record<string, unknown>;
}
