/**
 * An operator's review of a client: which decision may be taken from which status, which
 * decisions need a reason, what the developer is told, and what the operator reads after it.
 * The one rule for every place a decision is taken: the console, and the admin API's
 * PUT /admin/clients/{id}/pending-changes (which the CLI calls).
 */
import type { ClientStatus } from '../db/schema.js';
import type { ApplicationNotice } from '../delivery/templates.js';
import { conflict, invalidRequest } from '../oauth/errors.js';
import { maxLength } from './metadata.js';

/** A reason is kept as the client's status_reason. */
export const MAX_REASON = maxLength('status_reason');

export type Decision = 'approve' | 'reject' | 'suspend' | 'reinstate';
export type ChangeDecision = 'approve' | 'reject';

interface Rule {
  /** A reason must be given; it is kept with the status, in the audit log, and told to the developer. */
  reasonRequired: boolean;
  /** The email the developer gets (src/clients/notifications.ts). */
  notice: ApplicationNotice;
  /** The console's `?done=` after the decision, which names the flash below. */
  done: string;
  /** What the operator reads once it is done. */
  flash: (name: string, client: { developer_account_id: string | null; token_endpoint_auth_method: string }) => string;
}

export interface DecisionRule extends Rule {
  from: readonly ClientStatus[];
  to: ClientStatus;
}

// Maps, not object literals: the key comes from a form or a URL, and "constructor" must find nothing.
export const DECISIONS: ReadonlyMap<Decision, DecisionRule> = new Map<Decision, DecisionRule>([
  [
    'approve',
    {
      from: ['pending', 'rejected'],
      to: 'approved',
      reasonRequired: false,
      notice: 'approved',
      done: 'approved',
      flash: (name, c) =>
        `Approved “${name}”. It can sign people in now.` +
        (c.developer_account_id && c.token_endpoint_auth_method !== 'none'
          ? ' Its developer sees the client secret once, in the developer portal.'
          : ''),
    },
  ],
  [
    'reject',
    {
      from: ['pending'],
      to: 'rejected',
      reasonRequired: true,
      notice: 'rejected',
      done: 'rejected',
      flash: (name) => `Rejected “${name}”. The reason is kept with its status.`,
    },
  ],
  [
    'suspend',
    {
      from: ['approved'],
      to: 'suspended',
      reasonRequired: true,
      notice: 'suspended',
      done: 'suspended',
      flash: (name) => `Suspended “${name}”: its tokens are revoked and new sign-ins are refused.`,
    },
  ],
  [
    'reinstate',
    {
      from: ['suspended'],
      to: 'approved',
      reasonRequired: false,
      notice: 'reinstated',
      done: 'reinstated',
      flash: (name) =>
        `Reinstated “${name}”. It can sign people in again; the tokens revoked when it was suspended stay revoked.`,
    },
  ],
]);

/** The decisions on the changes a developer asked for an approved client (src/clients/pending-changes.ts). */
export const CHANGE_DECISIONS: ReadonlyMap<ChangeDecision, Rule> = new Map<ChangeDecision, Rule>([
  [
    'approve',
    {
      reasonRequired: false,
      notice: 'changes_approved',
      done: 'change-approved',
      flash: (name) => `Approved the change to “${name}”; it applies now.`,
    },
  ],
  [
    'reject',
    {
      reasonRequired: true,
      notice: 'changes_rejected',
      done: 'change-rejected',
      flash: (name) => `Rejected the change to “${name}”; it keeps its current settings.`,
    },
  ],
]);

const FLASHES: ReadonlyMap<string, Rule['flash']> = new Map(
  [...DECISIONS.values(), ...CHANGE_DECISIONS.values()].map((rule) => [rule.done, rule.flash]),
);

/** The flash a `?done=` names, if it names one. */
export const flashFor = (done: string): Rule['flash'] | undefined => FLASHES.get(done);

/** The decisions that apply to a client in this status, in the table's order. */
export const decisionsFrom = (status: ClientStatus): Decision[] =>
  [...DECISIONS].filter(([, rule]) => rule.from.includes(status)).map(([decision]) => decision);

/** The decision a form or a request names. */
export function parseDecision(value: string | undefined): Decision {
  if (value !== undefined && DECISIONS.has(value as Decision)) return value as Decision;
  throw invalidRequest('Choose approve, reject, suspend or reinstate.');
}

export function parseChangeDecision(value: string | undefined): ChangeDecision {
  if (value !== undefined && CHANGE_DECISIONS.has(value as ChangeDecision)) return value as ChangeDecision;
  throw invalidRequest('Choose to approve or reject the change.');
}

/**
 * The decision that moved a client from one status to another. The admin API names the
 * status it sets, not the decision, and still lets an operator move a client where the
 * console would not (approved to rejected): such a move is named after where it ends.
 */
export function decisionBetween(from: ClientStatus, to: ClientStatus): Decision | undefined {
  const ending = [...DECISIONS].filter(([, rule]) => rule.to === to);
  return (ending.find(([, rule]) => rule.from.includes(from)) ?? ending[0])?.[0];
}

/** A reason as typed: trimmed, and absent when blank. */
export const reasonOf = (typed: string | undefined): string | undefined => typed?.trim() || undefined;

function checkReason(rule: Rule, reason: string | undefined, what: string): void {
  if (rule.reasonRequired && !reason) throw invalidRequest(`Give a reason to ${what}.`);
  if (reason && reason.length > MAX_REASON) throw invalidRequest(`Keep the reason under ${MAX_REASON} characters.`);
}

/**
 * Refuses a decision that does not apply to a client in this status (409: someone decided
 * first, or it never applied), or that lacks the reason it needs (400).
 */
export function checkDecision(decision: Decision, status: ClientStatus, reason: string | undefined): DecisionRule {
  const rule = DECISIONS.get(decision) as DecisionRule;
  if (!rule.from.includes(status)) {
    throw conflict(`This application is ${status} now, so “${decision}” does not apply; nothing was changed.`);
  }
  checkReason(rule, reason, `${decision} the application: it is kept with its status and in the audit log`);
  return rule;
}

/** Refuses a decision on changes when none wait any more (409), or a rejection without a reason (400). */
export function checkChangeDecision(decision: ChangeDecision, pending: boolean, reason: string | undefined): void {
  if (!pending) throw conflict('This application has no changes waiting for review any more; nothing was changed.');
  checkReason(CHANGE_DECISIONS.get(decision) as Rule, reason, 'reject the change: it is kept in the audit log');
}
