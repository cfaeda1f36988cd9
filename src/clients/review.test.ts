import { describe, expect, it } from 'vitest';
import type { ClientStatus } from '../db/schema.js';
import { GatehouseError } from '../errors.js';
import {
  checkChangeDecision,
  checkDecision,
  type Decision,
  decisionBetween,
  flashFor,
  MAX_REASON,
  parseChangeDecision,
  parseDecision,
} from './review.js';

const STATUSES: ClientStatus[] = ['pending', 'approved', 'rejected', 'suspended'];

/** The whole table: what each decision does from each status, and whether it needs a reason. */
const TABLE: Record<Decision, { to: ClientStatus; from: ClientStatus[]; reason: boolean }> = {
  approve: { to: 'approved', from: ['pending', 'rejected'], reason: false },
  reject: { to: 'rejected', from: ['pending'], reason: true },
  suspend: { to: 'suspended', from: ['approved'], reason: true },
  reinstate: { to: 'approved', from: ['suspended'], reason: false },
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof GatehouseError) return { status: err.status, error: err.error, description: err.description };
    throw err;
  }
  return undefined;
};

describe('the review of a client', () => {
  for (const [decision, row] of Object.entries(TABLE) as [Decision, (typeof TABLE)[Decision]][]) {
    for (const status of STATUSES) {
      const allowed = row.from.includes(status);
      it(`${decision} from ${status}: ${allowed ? `to ${row.to}` : '409 conflict'}`, () => {
        const outcome = refusal(() => checkDecision(decision, status, 'a reason'));
        if (allowed) {
          expect(outcome).toBeUndefined();
          expect(checkDecision(decision, status, 'a reason').to).toBe(row.to);
        } else {
          expect(outcome).toMatchObject({ status: 409, error: 'conflict' });
          expect(outcome?.description).toBe(
            `This application is ${status} now, so “${decision}” does not apply; nothing was changed.`,
          );
        }
      });
    }
    it(`${decision} ${row.reason ? 'needs' : 'does not need'} a reason`, () => {
      const outcome = refusal(() => checkDecision(decision, row.from[0] as ClientStatus, undefined));
      if (row.reason) {
        expect(outcome).toMatchObject({ status: 400, error: 'invalid_request' });
        expect(outcome?.description).toMatch(new RegExp(`^Give a reason to ${decision} the application`));
      } else {
        expect(outcome).toBeUndefined();
      }
      expect(refusal(() => checkDecision(decision, row.from[0] as ClientStatus, 'x'.repeat(MAX_REASON + 1)))).toMatchObject({
        status: 400,
        description: `Keep the reason under ${MAX_REASON} characters.`,
      });
    });
  }

  it('names the decision behind a status change, the admin API’s loose ones included', () => {
    expect(decisionBetween('pending', 'approved')).toBe('approve');
    expect(decisionBetween('rejected', 'approved')).toBe('approve');
    expect(decisionBetween('suspended', 'approved')).toBe('reinstate');
    expect(decisionBetween('pending', 'rejected')).toBe('reject');
    expect(decisionBetween('approved', 'rejected')).toBe('reject');
    expect(decisionBetween('approved', 'suspended')).toBe('suspend');
    expect(decisionBetween('approved', 'pending')).toBeUndefined();
  });

  it('decides on held changes only while some wait, and rejects them only with a reason', () => {
    expect(refusal(() => checkChangeDecision('approve', false, undefined))).toMatchObject({ status: 409, error: 'conflict' });
    expect(refusal(() => checkChangeDecision('approve', true, undefined))).toBeUndefined();
    expect(refusal(() => checkChangeDecision('reject', true, undefined))).toMatchObject({
      status: 400,
      description: 'Give a reason to reject the change: it is kept in the audit log.',
    });
    expect(refusal(() => checkChangeDecision('reject', true, 'not yours'))).toBeUndefined();
  });

  it('reads only the decisions it knows, whatever the form sends', () => {
    expect(parseDecision('suspend')).toBe('suspend');
    expect(parseChangeDecision('reject')).toBe('reject');
    for (const bad of [undefined, '', 'constructor', '__proto__', 'toString', 'Approve']) {
      expect(refusal(() => parseDecision(bad))).toMatchObject({ status: 400, error: 'invalid_request' });
      expect(refusal(() => parseChangeDecision(bad))).toMatchObject({ status: 400, error: 'invalid_request' });
    }
  });

  it('tells the operator what was done, and nothing for an unknown ?done=', () => {
    const portalApp = { developer_account_id: 'acc', token_endpoint_auth_method: 'client_secret_basic' };
    expect(flashFor('approved')?.('Weather', portalApp)).toBe(
      'Approved “Weather”. It can sign people in now. Its developer sees the client secret once, in the developer portal.',
    );
    expect(flashFor('change-rejected')?.('Weather', portalApp)).toBe(
      'Rejected the change to “Weather”; it keeps its current settings.',
    );
    expect(flashFor('constructor')).toBeUndefined();
  });
});
