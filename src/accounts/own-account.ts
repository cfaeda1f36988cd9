/**
 * What a signed-in person may see and change of their own account: the applications they
 * allowed and their sessions, two-factor authentication on and off and its recovery codes,
 * their linked identities. Refusals are GatehouseErrors whose description is the sentence
 * the account page shows; nothing here knows of HTTP.
 */

import type { ClientStore } from '../clients/store.js';
import type { Config } from '../config/config.js';
import { connectorAvailable } from '../connectors/connectors.js';
import type { Account, LoginSession } from '../db/schema.js';
import { GatehouseError } from '../errors.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import type { ConsentRequests } from '../flows/consent-requests.js';
import type { LoginSessions } from '../flows/login-sessions.js';
import type { TokenStore } from '../tokens/token-store.js';
import { IDENTITY_KINDS, identityKind, type LinkedIdentities } from './linked-identities.js';
import type { SecondFactor, SecondFactorCode } from './second-factor.js';
import { type Enrolment, type Totp, TotpError } from './totp.js';

export interface OwnAccountDeps {
  consentRequests: Pick<ConsentRequests, 'listSessions' | 'revokeSessions'>;
  grants: Pick<TokenStore, 'activeClients'>;
  clientStore: Pick<ClientStore, 'find'>;
  sessions: Pick<LoginSessions, 'list' | 'end'>;
  totp: Pick<Totp, 'isEnabled' | 'remainingRecoveryCodes' | 'startEnrolment' | 'confirmEnrolment'>;
  secondFactor: Pick<SecondFactor, 'disable' | 'regenerateRecoveryCodes'>;
  identities: Pick<LinkedIdentities, 'list' | 'unlink'>;
  events: EventSink;
  config: Config;
  now: () => number;
}

/** An application that can be cut off: it has a remembered consent or a live token. */
export interface AllowedApp {
  clientId: string;
  name: string;
  scope: string[];
}

/** One kind of identity: linked (with what is shared), linkable, or not offered by this server. */
export interface IdentityStanding {
  kind: string;
  label: string;
  family: 'social' | 'wallet';
  linked: string | undefined;
  available: boolean;
}

export interface AccountOverview {
  twoFactor: { enabled: boolean; recoveryCodesLeft: number };
  apps: AllowedApp[];
  sessions: { id: string; authenticatedAt: Date; current: boolean }[];
  identities: IdentityStanding[];
}

export class OwnAccount {
  constructor(private readonly deps: OwnAccountDeps) {}

  /** Everything the account page shows, `current` being the session it is seen with. */
  async overview(account: Account, current: LoginSession): Promise<AccountOverview> {
    const { consentRequests, grants, sessions, totp } = this.deps;
    const [consents, active, open] = await Promise.all([
      consentRequests.listSessions(account.id),
      grants.activeClients(account.id, new Date(this.deps.now())),
      sessions.list(account.id),
    ]);
    const apps = new Map<string, AllowedApp>();
    for (const { consent_request, grant_scope } of consents) {
      const { client_id, client_name } = consent_request.client;
      apps.set(client_id, { clientId: client_id, name: client_name || client_id, scope: grant_scope });
    }
    for (const grant of active) {
      if (apps.has(grant.client_id)) continue;
      const client = await this.deps.clientStore.find(grant.client_id);
      const scope = grant.scope ? grant.scope.split(' ') : [];
      apps.set(grant.client_id, { clientId: grant.client_id, name: client?.name || grant.client_id, scope });
    }
    const enabled = totp.isEnabled(account);
    return {
      twoFactor: { enabled, recoveryCodesLeft: enabled ? await totp.remainingRecoveryCodes(account.id) : 0 },
      apps: [...apps.values()],
      sessions: open.map((s) => ({ id: s.id, authenticatedAt: s.authenticated_at, current: s.id === current.id })),
      identities: await this.identities(account.id),
    };
  }

  /** A new secret to scan, or undefined when 2FA is already on. */
  startTwoFactor(account: Account): Promise<Enrolment> | undefined {
    if (this.deps.totp.isEnabled(account)) return undefined;
    return this.deps.totp.startEnrolment(account.id, account.email ?? account.phone ?? account.id);
  }

  /**
   * Turns 2FA on once `code` proves the app holds `secret`; returns the recovery codes, shown
   * once. A wrong code is `wrong_code`: the page shows a new secret, so it says to scan again.
   */
  async enableTwoFactor(actor: Actor, accountId: string, secret: string, code: string): Promise<string[]> {
    let codes: string[];
    try {
      codes = await this.deps.totp.confirmEnrolment(accountId, secret, code.replace(/\s+/g, ''));
    } catch (err) {
      if (!(err instanceof TotpError)) throw err;
      if (err.reason !== 'wrong_code' && err.reason !== 'invalid_secret') throw err;
      throw new GatehouseError('wrong_code', 'That code is not right. Scan the new QR code and try again.', { cause: err });
    }
    await this.deps.events.emit({ type: 'account.two_factor_enabled', accountId }, actor);
    return codes;
  }

  /** Turning protection off takes the protection itself, under the sign-in's guess limit (second-factor.ts). */
  disableTwoFactor(actor: Actor, accountId: string, entered: SecondFactorCode): Promise<void> {
    return this.deps.secondFactor.disable(actor, accountId, entered);
  }

  /** New recovery codes (shown once) for a code of the factor. */
  replaceRecoveryCodes(actor: Actor, accountId: string, entered: SecondFactorCode): Promise<string[]> {
    return this.deps.secondFactor.regenerateRecoveryCodes(actor, accountId, entered);
  }

  /** Cuts an application off: its remembered consent and its tokens. Without a client, nothing. */
  async revokeApp(actor: Actor, accountId: string, clientId: string | undefined): Promise<void> {
    if (clientId) await this.deps.consentRequests.revokeSessions(actor, accountId, clientId, false);
  }

  /** Ends one of the account's own sessions. Without a session, nothing. */
  async endSession(actor: Actor, accountId: string, sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.deps.sessions.end(actor, accountId, sessionId);
  }

  /** Unlinks an identity; unlinking what is not linked (a second click, another tab) is done already. */
  async unlink(actor: Actor, accountId: string, kind: string): Promise<void> {
    const known = identityKind(kind);
    if (!known) throw new GatehouseError('invalid_request', 'That is not a kind of identity Gatehouse links.');
    try {
      await this.deps.identities.unlink(actor, accountId, known.kind);
    } catch (err) {
      if (!(err instanceof GatehouseError && err.error === 'not_found')) throw err;
    }
  }

  /** Every kind of identity, linked or not; social ones available only when their connector is configured. */
  private async identities(accountId: string): Promise<IdentityStanding[]> {
    const linked = new Map((await this.deps.identities.list(accountId)).map((i) => [i.kind, i.display_name]));
    return IDENTITY_KINDS.map((k) => ({
      kind: k.kind,
      label: k.label,
      family: k.family,
      linked: linked.get(k.kind),
      available: k.family === 'wallet' || connectorAvailable(this.deps.config, k.kind),
    }));
  }
}
