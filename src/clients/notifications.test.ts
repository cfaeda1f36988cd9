import { describe, expect, it } from 'vitest';
import { systemActor } from '../events/actor.js';
import type { GatehouseEvent } from '../events/events.js';
import { noticeFor } from './notifications.js';

const stamped = (event: GatehouseEvent) => ({ ...event, at: new Date(0), actor: systemActor() });
const moved = (from: string, to: string, reason?: string) =>
  noticeFor(stamped({ type: 'client.status_changed', clientId: 'c', from, to, reason }));

describe('what a developer is told about their application', () => {
  it('names the decision behind each status change, with the reason only where the decision needed one', () => {
    expect(moved('pending', 'approved', 'looks fine')).toEqual({ notice: 'approved' });
    expect(moved('rejected', 'approved')).toEqual({ notice: 'approved' });
    expect(moved('suspended', 'approved')).toEqual({ notice: 'reinstated' });
    expect(moved('pending', 'rejected', 'No privacy policy.')).toEqual({ notice: 'rejected', reason: 'No privacy policy.' });
    expect(moved('approved', 'suspended', 'Abuse.')).toEqual({ notice: 'suspended', reason: 'Abuse.' });
    // The admin API may still move a client where the console would not: told by where it ends.
    expect(moved('approved', 'rejected', 'Gone.')).toEqual({ notice: 'rejected', reason: 'Gone.' });
    expect(moved('approved', 'pending')).toBeUndefined();
  });

  it('tells the decision on held changes, and nothing for other events', () => {
    expect(noticeFor(stamped({ type: 'client.changes_approved', clientId: 'c', fields: ['scope'] }))).toEqual({
      notice: 'changes_approved',
    });
    expect(
      noticeFor(stamped({ type: 'client.changes_rejected', clientId: 'c', fields: ['scope'], reason: 'Not needed.' })),
    ).toEqual({ notice: 'changes_rejected', reason: 'Not needed.' });
    expect(noticeFor(stamped({ type: 'client.updated', clientId: 'c' }))).toBeUndefined();
    expect(noticeFor(stamped({ type: 'client.changes_requested', clientId: 'c', fields: ['scope'] }))).toBeUndefined();
  });
});
