/**
 * Aptos wallets: Petra and the Aptos wallet standard sign a "full message" that wraps ours,
 * `APTOS\n[address: …\n][application: …\n][chainId: …\n]message: <ours>\nnonce: <nonce>`,
 * with the account's ed25519 key. The address of a single-key account is
 * sha3-256(public key || 0x00), so the public key the wallet reports must derive it. (An
 * account whose key was rotated keeps its old address and cannot be proved this way.)
 */
import { sha3_256 } from '@noble/hashes/sha3';
import type { ChainContext, SignInFields, StoredChallenge, WalletAddress, WalletChain } from './chain.js';
import { assertEd25519Signed } from './ed25519.js';
import { concatBytes, hexBytes, toHex } from './encoding.js';
import { walletError } from './errors.js';
import { readSignInText, signInText } from './message.js';

const ED25519_SINGLE_KEY_SCHEME = 0x00;

/** 0x and 64 lower-case hex digits (AIP-40 long form), from any length of hex. */
function normalize(input: string): string | undefined {
  const value = input.trim();
  if (!/^(0x)?[0-9a-fA-F]{1,64}$/.test(value)) return undefined;
  return `0x${value.replace(/^0x/i, '').toLowerCase().padStart(64, '0')}`;
}

export function aptosAddressOf(publicKey: Uint8Array): string {
  return `0x${toHex(sha3_256(concatBytes(publicKey, Uint8Array.of(ED25519_SINGLE_KEY_SCHEME))))}`;
}

/** The full message a wallet signs when asked without the optional fields. */
export const aptosFullMessage = (message: string, nonce: string) => `APTOS\nmessage: ${message}\nnonce: ${nonce}`;

const FULL_MESSAGE =
  /^APTOS\n(?:address: (?<address>\S+)\n)?(?:application: (?<application>\S+)\n)?(?:chainId: (?<chainId>\S+)\n)?message: (?<message>[\s\S]*)\nnonce: (?<nonce>\S+)$/;

export const aptos: WalletChain = {
  kind: 'aptos',
  network: 'Aptos',
  defaultChainId: '1',
  nonceBytes: 16,

  parseAddress(input: string): WalletAddress {
    const address = normalize(input);
    if (!address) throw walletError('invalid_address', 'Enter an Aptos address: 0x followed by up to 64 hexadecimal characters.');
    return { externalId: address, display: address };
  },

  createMessage: (f: SignInFields) => signInText('Aptos', f),
  readMessage: (text: string) => readSignInText('Aptos', text),

  signedText: (challenge: StoredChallenge) => aptosFullMessage(challenge.message, challenge.nonce),

  walletRequest: (challenge: StoredChallenge) => ({ message: challenge.message, nonce: challenge.nonce }),

  /** Our message from a wallet's full message; the optional lines must agree with the challenge. */
  unwrap(signed: string, challenge: StoredChallenge, ctx: ChainContext): string | undefined {
    const groups = FULL_MESSAGE.exec(signed)?.groups;
    if (!groups || groups.nonce !== challenge.nonce) return undefined;
    if (groups.address !== undefined && normalize(groups.address) !== challenge.address) return undefined;
    if (groups.application !== undefined) {
      const issuer = new URL(ctx.issuer);
      // Wallets write the page's origin or its host.
      if (groups.application !== issuer.origin && groups.application !== issuer.host) {
        throw walletError('wrong_domain', `Your wallet signed this message for ${groups.application}, not for ${issuer.host}.`);
      }
    }
    return groups.message;
  },

  async verify({ challenge, signed, proof }) {
    const publicKey = hexBytes(proof.publicKey ?? '');
    if (publicKey?.length !== 32) {
      throw walletError(
        'invalid_public_key',
        'Paste the public key of your Aptos account: 0x followed by 64 hexadecimal characters.',
      );
    }
    const derived = aptosAddressOf(publicKey);
    if (derived !== challenge.address) {
      throw walletError(
        'address_mismatch',
        `This public key belongs to the Aptos address ${derived}, not to ${challenge.address}. (An account whose key was rotated cannot be linked yet.)`,
      );
    }
    assertEd25519Signed({
      address: challenge.address,
      signature: proof.signature,
      signed,
      publicKey: publicKey,
      badFormat: 'Paste the signature your wallet gave: 0x followed by 128 hexadecimal characters.',
    });
    return { details: { proof: 'aptos-sign-message', publicKey: `0x${toHex(publicKey)}` } };
  },
};
