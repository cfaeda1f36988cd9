/**
 * Linking a social account to a Gatehouse account (issue 6): GitHub, Discord and X through
 * the OAuth connector, Telegram through its Login Widget. An attempt is sealed (encrypted,
 * bound to its kind) for the browser to keep until the callback, and opens only for the
 * account that started it, for ATTEMPT_TTL_SECONDS; the callback proves the identity and
 * links it. Every refusal is a GatehouseError with the sentence the page shows (a
 * ConnectorError for what went wrong upstream). Nothing here knows of HTTP or cookies.
 */
import type { LinkedIdentities } from '../accounts/linked-identities.js';
import type { Config } from '../config/config.js';
import { DecryptionError, type SecretBox } from '../crypto/encryption.js';
import { GatehouseError } from '../errors.js';
import type { Actor } from '../events/actor.js';
import { Connectors, telegramSettings } from './connectors.js';
import { ConnectorError } from './errors.js';
import type { LinkAttempt } from './oauth-connector.js';
import { type ConnectedUser, PRESETS, type SocialKind } from './presets.js';
import { verifyTelegramLogin } from './telegram.js';
import type { UsedTelegramLogins } from './used-telegram-logins.js';

/** Long enough to sign in at the provider (and maybe create an account there), short enough to go stale. */
export const ATTEMPT_TTL_SECONDS = 15 * 60;

export type LinkKind = SocialKind | 'telegram';

export const LINK_LABELS: Record<LinkKind, string> = {
  github: PRESETS.github.label,
  discord: PRESETS.discord.label,
  twitter: PRESETS.twitter.label,
  telegram: 'Telegram',
};

/** What a browser keeps between the start of an attempt and its callback. */
export interface Attempt extends Partial<Omit<LinkAttempt, 'redirectUri'>> {
  accountId: string;
  startedAt: number;
  returnTo?: string | undefined;
}

export interface SocialLinksDeps {
  config: Config;
  box: Pick<SecretBox, 'encrypt' | 'decrypt'>;
  identities: Pick<LinkedIdentities, 'link' | 'list'>;
  telegramLogins: Pick<UsedTelegramLogins, 'spend'>;
  now: () => number;
}

export class SocialLinks {
  /** One per process, so an OpenID Connect provider's discovery is cached between requests. */
  private readonly connectors: Connectors;

  constructor(private readonly deps: SocialLinksDeps) {
    this.connectors = new Connectors(deps.config, deps.now);
  }

  /** The provider's page to send the browser to, and the attempt for the browser to keep. */
  async start(kind: SocialKind, accountId: string, returnTo: string | undefined, callbackUrl: string) {
    const { url, attempt } = await this.connector(kind).start(callbackUrl);
    const { state, verifier, nonce } = attempt;
    return { url, sealed: this.seal(kind, { accountId, startedAt: this.deps.now(), returnTo, state, verifier, nonce }) };
  }

  /** What Telegram's link page needs: the bot, what is linked now, and the attempt to keep. */
  async startTelegram(accountId: string, returnTo: string | undefined) {
    const telegram = this.telegram();
    const linked = (await this.deps.identities.list(accountId)).find((i) => i.kind === 'telegram')?.display_name;
    const sealed = this.seal('telegram', { accountId, startedAt: this.deps.now(), returnTo });
    return { botUsername: telegram.botUsername, linked, sealed };
  }

  /** The attempt `sealed` holds, if this account started it (in this browser) and not too long ago. */
  recall(kind: LinkKind, sealed: string | undefined, accountId: string): Attempt | undefined {
    if (sealed === undefined) return undefined;
    let attempt: Attempt;
    try {
      attempt = JSON.parse(this.deps.box.decrypt(sealed, `link:${kind}`)) as Attempt;
    } catch (err) {
      // Tampered with, sealed under a retired secret, or not ours: the attempt is lost.
      if (err instanceof DecryptionError || err instanceof SyntaxError) return undefined;
      throw err;
    }
    if (attempt.accountId !== accountId) return undefined;
    if (this.deps.now() - attempt.startedAt > ATTEMPT_TTL_SECONDS * 1000) return undefined;
    return attempt;
  }

  /** Checks the provider's callback against the attempt, asks who the person is, and links them. */
  async finish(actor: Actor, kind: SocialKind, attempt: Attempt | undefined, callback: URLSearchParams, callbackUrl: string) {
    if (!attempt?.state || !attempt.verifier) throw lost();
    const { state, verifier, nonce } = attempt;
    const user = await this.connector(kind).finish(callback, { state, verifier, nonce, redirectUri: callbackUrl });
    await this.link(actor, kind, attempt.accountId, user);
  }

  /** Checks the Login Widget's signed data (good once) and links the Telegram account. */
  async finishTelegram(actor: Actor, attempt: Attempt | undefined, callback: URLSearchParams) {
    // The widget's data is a bearer proof for a day: only a browser that opened the link page for this account may use it.
    if (!attempt) throw lost();
    const user = verifyTelegramLogin(callback, this.telegram(), this.deps.now());
    // Spent before linking: of two uses of the same data, however close, one links and the other is refused.
    if (!(await this.deps.telegramLogins.spend(user.signature, user.usableUntil))) {
      throw new ConnectorError(
        'replayed',
        'This Telegram sign-in was already used. Start again and sign in with the Telegram button.',
      );
    }
    await this.link(actor, 'telegram', attempt.accountId, { id: user.id, username: user.username, details: user.details });
  }

  /** Links the proved identity; someone else's is a `conflict` (409). */
  private async link(actor: Actor, kind: LinkKind, accountId: string, user: ConnectedUser): Promise<void> {
    try {
      await this.deps.identities.link(actor, accountId, {
        kind,
        externalId: user.id,
        displayName: user.username,
        details: user.details,
      });
    } catch (err) {
      if (!(err instanceof GatehouseError && err.status === 409)) throw err;
      const label = LINK_LABELS[kind];
      throw new GatehouseError(
        'conflict',
        `This ${label} account is already linked to another Gatehouse account. Unlink it there first, or link a different one.`,
        { status: 409, cause: err },
      );
    }
  }

  private seal(kind: LinkKind, attempt: Attempt): string {
    return this.deps.box.encrypt(JSON.stringify(attempt), `link:${kind}`);
  }

  private connector(kind: SocialKind) {
    const connector = this.connectors.get(kind);
    if (!connector) throw notAvailable(kind);
    return connector;
  }

  private telegram() {
    const telegram = telegramSettings(this.deps.config);
    if (!telegram) throw notAvailable('telegram');
    return telegram;
  }
}

const notAvailable = (kind: LinkKind) =>
  new GatehouseError('not_available', `Linking a ${LINK_LABELS[kind]} account is not available on this server.`, {
    status: 404,
  });

const lost = () =>
  new GatehouseError(
    'invalid_state',
    'This linking attempt has expired, or was started in another browser or by another account. Start again.',
  );
