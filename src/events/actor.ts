/**
 * Who is acting: an operator on the admin port, a developer in the portal, a person on their
 * account page, a client at the token endpoint, or Gatehouse itself. Every service call that
 * can emit an event takes the actor as its first argument, so the audit log says who did it.
 *
 * Passed explicitly rather than kept in an AsyncLocalStorage: on Node 20 a store puts a
 * promise hook on every promise in the process, which cost 15% of the token endpoint's
 * throughput (bench/RESULTS.md).
 */

export type ActorType = 'operator' | 'developer' | 'account' | 'client' | 'anonymous' | 'system';

export interface Actor {
  type: ActorType;
  /** The operator's name, the account id, the client id; absent when unknown. */
  id?: string | undefined;
  ip?: string | undefined;
}

/** Gatehouse itself: a background job, a CLI command, start-up. A new object each time, so narrowing one never touches another. */
export function systemActor(): Actor {
  return { type: 'system' };
}

/** Narrows a request's actor once it is known (a session read, a client authenticated). */
export function identify(actor: Actor, type: ActorType, id?: string): void {
  actor.type = type;
  actor.id = id;
}
