import { describe, expect, it } from 'vitest';
import { type Actor, systemActor } from '../events/actor.js';
import type { GatehouseEvent } from '../events/events.js';
import { ConsoleSignIn, LOGIN_ATTEMPTS } from './console-sign-in.js';
import type { ConsoleSessions } from './operator-sessions.js';

function signIn(adminToken: string | undefined, allowed = true) {
  const events: GatehouseEvent[] = [];
  const hits: string[] = [];
  const service = new ConsoleSignIn({
    adminToken,
    sessions: { issue: async (operator: string) => `session-of-${operator}` } as unknown as ConsoleSessions,
    limiter: {
      hit: async (key: string, limit: number) => {
        hits.push(`${key}/${limit}`);
        return { allowed, retryAfterSeconds: allowed ? 0 : 61, remaining: 0 } as never;
      },
    },
    events: { emit: async (event: GatehouseEvent) => void events.push(event) },
  });
  return { service, events, hits };
}

const typed = (operator: string, token: string) => ({ operator, token, address: '203.0.113.0/24' });

describe('signing in to the console', () => {
  it('opens a session for the right token and a usable name, as that operator', async () => {
    const { service, events, hits } = signIn('the-token');
    const actor: Actor = systemActor();
    expect(await service.attempt(actor, typed('ada', 'the-token'))).toEqual({ session: 'session-of-ada' });
    expect(actor).toMatchObject({ type: 'operator', id: 'ada' });
    expect(events).toEqual([{ type: 'console.signed_in', operator: 'ada' }]);
    expect(hits).toEqual([`console-login:203.0.113.0/24/${LOGIN_ATTEMPTS}`, 'console-login:*/120']);
  });

  it('refuses a wrong token (recording the typed name as a claim only), then a bad name', async () => {
    const { service, events } = signIn('the-token');
    const actor = systemActor();
    expect(await service.attempt(actor, typed('ada', 'guess'))).toMatchObject({
      status: 401,
      errors: { token: 'That is not the admin token.' },
    });
    expect(actor.type).toBe('anonymous');
    expect(events).toEqual([{ type: 'console.sign_in_failed', claimed: 'ada' }]);
    expect(await service.attempt(systemActor(), typed('system', 'the-token'))).toMatchObject({ status: 400 });
  });

  it('stops counting tries once the limit is reached, even with the right token', async () => {
    const { service } = signIn('the-token', false);
    expect(await service.attempt(systemActor(), typed('ada', 'the-token'))).toMatchObject({
      status: 429,
      retryAfterSeconds: 61,
      errors: { form: expect.stringMatching(/^Too many sign-in attempts. Try again in 2 minutes/) },
    });
  });

  it('asks only for a name when the port is open (ADMIN_TOKEN=none)', async () => {
    const { service, hits } = signIn(undefined);
    expect(await service.attempt(systemActor(), typed('ada', ''))).toEqual({ session: 'session-of-ada' });
    expect(hits).toEqual([]);
  });
});
