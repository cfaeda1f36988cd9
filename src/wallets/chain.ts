/**
 * What every chain family provides to link a wallet: how its addresses are written, the
 * message its wallets sign, and how a signature over that message is checked.
 */
import type { IdentityKind } from '../db/schema.js';

export type WalletKind = Extract<IdentityKind, 'evm' | 'solana' | 'aptos' | 'sei' | 'injective' | 'flow'>;

export const WALLET_KINDS: readonly WalletKind[] = ['evm', 'solana', 'aptos', 'sei', 'injective', 'flow'];

export const isWalletKind = (kind: string): kind is WalletKind => (WALLET_KINDS as readonly string[]).includes(kind);

export interface WalletAddress {
  /** Canonical and unique per kind (linked_identities.external_id). */
  externalId: string;
  /** As wallets show it, and as applications receive it. */
  display: string;
}

/** The fields of a sign-in message (EIP-4361 and the Sign-In With X messages that copy it). */
export interface SignInFields {
  /** RFC 3986 authority: Gatehouse's host and port. */
  domain: string;
  /** Only where the message format carries it (EIP-4361, for an http issuer). */
  scheme?: string | undefined;
  address: string;
  statement: string;
  uri: string;
  chainId: string;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
}

/** A challenge as stored: bound to one account, kind and address. */
export interface StoredChallenge {
  id: string;
  accountId: string;
  kind: WalletKind;
  /** Canonical (external_id form). */
  address: string;
  nonce: string;
  message: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/** What the person's wallet (or the person) sent back. */
export interface WalletProof {
  /** The text that was signed, when the page or the wallet sends it (Aptos wallets wrap the message). */
  message?: string | undefined;
  signature: string;
  publicKey?: string | undefined;
}

export interface ChainContext {
  issuer: string;
  /** Reads an account from the chain's API (Flow); tests pass a stand-in. */
  fetch: typeof fetch;
  flowAccessApi: string;
}

export interface WalletChain {
  kind: WalletKind;
  /** As the message names it: "… sign in with your Solana account". */
  network: string;
  /** The Chain ID line of the message (EVM: the wallet's chain, when the page says). */
  defaultChainId: string;
  /** Hex digits in the nonce (Flow asks for at least 32 bytes; the others 16 are plenty). */
  nonceBytes: number;
  /** Throws `invalid_address` for anything that is not an address of this chain. */
  parseAddress(input: string): WalletAddress;
  createMessage(fields: SignInFields): string;
  /** The sign-in fields of a message, or undefined if it is not one. */
  readMessage(text: string): SignInFields | undefined;
  /**
   * The text that the wallet signs for this challenge, and from a text a wallet says it signed,
   * the sign-in message inside it (undefined: not a wrapping of ours).
   */
  signedText?(challenge: StoredChallenge): string;
  unwrap?(signed: string, challenge: StoredChallenge, ctx: ChainContext): string | undefined;
  /** What the page's script hands the wallet, besides the message. */
  walletRequest?(challenge: StoredChallenge, ctx: ChainContext): Record<string, string>;
  /** Throws a wallet error unless `proof` proves the challenge's address signed `signed`. */
  verify(input: { challenge: StoredChallenge; signed: string; proof: WalletProof }, ctx: ChainContext): Promise<VerifiedWallet>;
}

export interface VerifiedWallet {
  /** Kept with the link (linked_identities.details): how it was proved. */
  details: Record<string, unknown>;
}
