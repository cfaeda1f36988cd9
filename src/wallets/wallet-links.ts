/**
 * Linking a wallet: Gatehouse writes a one-time message naming its domain, the address, a
 * nonce and an expiry; the person's wallet signs it; the signature is checked by the chain's
 * verifier, the challenge is spent, and the address is linked to the account.
 *
 * Whether an address already belongs to another account is said only after the signature
 * proved the person holds it, so nobody can probe which addresses are linked here.
 */

import { randomBytes } from 'node:crypto';
import type { LinkedIdentities } from '../accounts/linked-identities.js';
import type { RateLimiter } from '../accounts/rate-limit.js';
import type { Db } from '../db/database.js';
import type { LinkedIdentity } from '../db/schema.js';
import { type ErrorOptions, GatehouseError, tooManyRequests } from '../errors.js';
import type { Actor } from '../events/actor.js';
import { aptos } from './aptos.js';
import type { ChainContext, SignInFields, StoredChallenge, WalletChain, WalletKind, WalletProof } from './chain.js';
import { WalletChallenges } from './challenges.js';
import { injective, sei } from './cosmos.js';
import { walletError } from './errors.js';
import { evm, evmChainId } from './evm.js';
import { flow } from './flow-chain.js';
import { CHALLENGE_TTL_SECONDS, STATEMENT } from './message.js';
import { solana } from './solana.js';

export const CHAINS: Record<WalletKind, WalletChain> = { evm, solana, aptos, sei, injective, flow };

/** Challenges one account may ask for in an hour (the page's per-address limit comes first). */
export const CHALLENGES_PER_ACCOUNT_HOUR = 30;
export const CHALLENGE_WINDOW_SECONDS = 3600;

/** The wallet was proved, but another account has it linked: the page names the address. */
export class WalletTaken extends GatehouseError {
  override name = 'WalletTaken';

  constructor(
    description: string,
    /** As the wallet shows it. */
    readonly address: string,
    options: ErrorOptions = {},
  ) {
    super('conflict', description, { ...options, status: 409 });
  }
}

export interface WalletLinksDeps {
  db: Db;
  identities: LinkedIdentities;
  /** Counts the challenges each account asks for. */
  limiter: Pick<RateLimiter, 'hit'>;
  now: () => number;
  issuer: string;
  flowAccessApi: string;
  fetch?: typeof fetch;
}

/** A challenge as the page and its script need it. */
export interface IssuedChallenge {
  kind: WalletKind;
  nonce: string;
  /** As the wallet shows it. */
  address: string;
  /** The sign-in message. */
  message: string;
  /** The exact text to sign when signing by hand (Aptos wraps the message). */
  toSign: string;
  expiresAt: Date;
  /** What the page's script hands the wallet besides the message (chain id, Flow's app identifier, …). */
  wallet: Record<string, string>;
}

export interface LinkRequest extends WalletProof {
  /** Which challenge; read from the message when absent. */
  nonce?: string | undefined;
}

export class WalletLinks {
  readonly challenges: WalletChallenges;
  private readonly ctx: ChainContext;

  constructor(private readonly deps: WalletLinksDeps) {
    this.challenges = new WalletChallenges({ db: deps.db, now: deps.now });
    this.ctx = { issuer: deps.issuer, flowAccessApi: deps.flowAccessApi, fetch: deps.fetch ?? fetch };
  }

  /** Writes a fresh message for `addressInput`; throws `too_many_requests`, `invalid_address`. */
  async challenge(
    accountId: string,
    kind: WalletKind,
    addressInput: string,
    options: { chainId?: string | undefined } = {},
  ): Promise<IssuedChallenge> {
    const limit = await this.deps.limiter.hit(
      `wallet-challenge:${accountId}`,
      CHALLENGES_PER_ACCOUNT_HOUR,
      CHALLENGE_WINDOW_SECONDS,
    );
    if (!limit.allowed) {
      throw tooManyRequests(
        `Too many messages were asked for on this account. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
        limit.retryAfterSeconds,
      );
    }
    const chain = CHAINS[kind];
    const address = chain.parseAddress(addressInput);
    const issuer = new URL(this.deps.issuer);
    const now = new Date(this.deps.now());
    const fields: SignInFields = {
      domain: issuer.host,
      // EIP-4361 assumes https when the scheme is left out; a plain-http issuer (development) says so.
      scheme: kind === 'evm' && issuer.protocol === 'http:' ? 'http' : undefined,
      address: address.display,
      statement: STATEMENT,
      uri: `${this.deps.issuer}/ui/account/identities/${kind}`,
      chainId: (kind === 'evm' ? evmChainId(options.chainId) : undefined) ?? chain.defaultChainId,
      nonce: randomBytes(chain.nonceBytes).toString('hex'),
      issuedAt: now,
      expirationTime: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    };
    const stored = await this.challenges.create({
      accountId,
      kind,
      address: address.externalId,
      nonce: fields.nonce,
      message: chain.createMessage(fields),
      expiresAt: fields.expirationTime,
    });
    return this.issued(stored);
  }

  /** A challenge of this account that can still be signed (to show it again after an error). */
  async pending(accountId: string, kind: WalletKind, nonce: string | undefined): Promise<IssuedChallenge | undefined> {
    if (!nonce) return undefined;
    const stored = await this.challenges.findByNonce(nonce);
    if (!stored || stored.accountId !== accountId || stored.kind !== kind || stored.usedAt) return undefined;
    if (stored.expiresAt.getTime() <= this.deps.now()) return undefined;
    return this.issued(stored);
  }

  /** Checks the proof, spends the challenge and links the address; throws a wallet error or WalletTaken. */
  async link(actor: Actor, accountId: string, kind: WalletKind, request: LinkRequest): Promise<LinkedIdentity> {
    const chain = CHAINS[kind];
    const submitted = request.message?.replace(/\r\n/g, '\n');
    const nonce = request.nonce?.trim() || nonceIn(chain, submitted);
    const challenge = nonce ? await this.challenges.findByNonce(nonce) : undefined;
    if (!challenge || challenge.accountId !== accountId || challenge.kind !== kind) {
      throw walletError(
        'challenge_unknown',
        'Gatehouse did not ask this account to sign this message. Ask for a new message and sign it.',
      );
    }
    if (challenge.usedAt) {
      throw walletError(
        'challenge_used',
        'This message was already used to link a wallet; each one counts once. Ask for a new message.',
      );
    }
    if (challenge.expiresAt.getTime() <= this.deps.now()) {
      throw walletError(
        'challenge_expired',
        'This message has expired: each one can be signed for 10 minutes. Ask for a new message.',
      );
    }

    const signed = submitted ?? chain.signedText?.(challenge) ?? challenge.message;
    this.checkMessage(chain, challenge, signed);
    const verified = await chain.verify({ challenge, signed, proof: request }, this.ctx);

    if (!(await this.challenges.consume(challenge.id))) {
      // Another request spent it between our read and now, or it expired while we checked.
      throw walletError(
        'challenge_used',
        'This message was already used to link a wallet; each one counts once. Ask for a new message.',
      );
    }
    const address = chain.parseAddress(challenge.address);
    try {
      return await this.deps.identities.link(actor, accountId, {
        kind,
        externalId: address.externalId,
        displayName: address.display,
        details: verified.details,
      });
    } catch (err) {
      if (!(err instanceof GatehouseError && err.error === 'conflict')) throw err;
      throw new WalletTaken(err.description, address.display, { cause: err });
    }
  }

  /** A signed text other than ours is refused with the reason: another site, another address, or an edit. */
  private checkMessage(chain: WalletChain, challenge: StoredChallenge, signed: string): void {
    const inner = chain.unwrap ? chain.unwrap(signed, challenge, this.ctx) : signed;
    if (inner === challenge.message) return;
    const fields = inner === undefined ? undefined : chain.readMessage(inner);
    if (!fields) {
      throw walletError(
        'invalid_message',
        'This is not the message Gatehouse asked you to sign. Sign the message shown here, exactly as it is.',
      );
    }
    const issuer = new URL(this.deps.issuer);
    const scheme = fields.scheme ?? 'https';
    const ours = fields.domain === issuer.host && (chain.kind !== 'evm' || `${scheme}:` === issuer.protocol);
    if (!ours || !fields.uri.startsWith(`${this.deps.issuer}/`)) {
      throw walletError(
        'wrong_domain',
        `This message was written for ${fields.scheme ? `${fields.scheme}://` : ''}${fields.domain}, not for ${issuer.host}. Sign only messages that name the site you are on.`,
      );
    }
    let named: string | undefined;
    try {
      named = chain.parseAddress(fields.address).externalId;
    } catch (err) {
      // An address the chain cannot read is not the one it was asked for.
      if (!(err instanceof GatehouseError && err.error === 'invalid_address')) throw err;
      named = undefined;
    }
    if (named !== challenge.address) {
      throw walletError(
        'address_mismatch',
        `This message names ${fields.address}, but it was asked for ${chain.parseAddress(challenge.address).display}.`,
      );
    }
    throw walletError(
      'invalid_message',
      'The message was changed after Gatehouse wrote it. Sign the message shown here, exactly as it is.',
    );
  }

  private issued(stored: StoredChallenge): IssuedChallenge {
    const chain = CHAINS[stored.kind];
    return {
      kind: stored.kind,
      nonce: stored.nonce,
      address: chain.parseAddress(stored.address).display,
      message: stored.message,
      toSign: chain.signedText?.(stored) ?? stored.message,
      expiresAt: stored.expiresAt,
      wallet: chain.walletRequest?.(stored, this.ctx) ?? {},
    };
  }
}

/** The nonce a submitted sign-in message carries (when the request did not name its challenge). */
const nonceIn = (chain: WalletChain, message: string | undefined): string | undefined =>
  message ? chain.readMessage(message)?.nonce : undefined;
