/**
 * Who is acting: an operator on the admin port, a developer in the portal, a person on their
 * account page, a client at the token endpoint, or Gatehouse itself. Each request runs in its
 * own context, so services emit events without passing the actor through every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type ActorType = 'operator' | 'developer' | 'account' | 'client' | 'anonymous' | 'system';

export interface Actor {
  type: ActorType;
  /** The operator's name, the account id, the client id; absent when unknown. */
  id?: string | undefined;
  ip?: string | undefined;
}

const storage = new AsyncLocalStorage<Actor>();

/** Runs `fn` with `actor` as the current actor (a background job, a test, a CLI command). */
export function actingAs<T>(actor: Actor, fn: () => T): T {
  return storage.run({ ...actor }, fn);
}

/**
 * Starts a request's context: everything the request awaits sees this actor. Called from an
 * onRequest hook, where `run` cannot wrap the rest of the request.
 */
export function enterRequest(actor: Actor): void {
  storage.enterWith({ ...actor });
}

/** Narrows the current request's actor once it is known (a session read, a client authenticated). */
export function identify(type: ActorType, id?: string): void {
  const current = storage.getStore();
  if (current) {
    current.type = type;
    current.id = id;
  }
}

export function currentActor(): Actor {
  return storage.getStore() ?? { type: 'system' };
}
