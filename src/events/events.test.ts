import { describe, expect, it } from 'vitest';
import { type Actor, identify } from './actor.js';
import { EventBus, type StampedEvent } from './events.js';

describe('EventBus', () => {
  it('stamps each event with the actor it was emitted by, as that actor was then', async () => {
    const bus = new EventBus(() => 1_000);
    const seen: StampedEvent[] = [];
    bus.on((event) => {
      seen.push(event);
    });
    const actor: Actor = { type: 'anonymous', ip: '10.0.0.1' };
    await bus.emit({ type: 'client.authentication_failed', clientId: 'c1' }, actor);
    // The request goes on and learns who it is: the event already written must not change.
    identify(actor, 'client', 'c1');
    await bus.emit({ type: 'token.revoked', clientId: 'c1', kind: 'access_token' }, actor);
    expect(seen.map((e) => e.actor)).toEqual([
      { type: 'anonymous', ip: '10.0.0.1' },
      { type: 'client', id: 'c1', ip: '10.0.0.1' },
    ]);
    expect(seen[0]?.at).toEqual(new Date(1_000));
  });

  it('reports a failing subscriber and still lets the others run', async () => {
    const errors: unknown[] = [];
    const bus = new EventBus(Date.now, (err) => errors.push(err));
    const ran: string[] = [];
    bus.on(() => {
      throw new Error('audit down');
    });
    bus.on(() => {
      ran.push('second');
    });
    await expect(bus.emit({ type: 'key.deleted', kid: 'k1' }, { type: 'system' })).resolves.toBeUndefined();
    expect(ran).toEqual(['second']);
    expect(errors).toHaveLength(1);
  });
});
