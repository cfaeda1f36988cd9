/**
 * Solana wallets: a Sign In With Solana style message, signed as raw UTF-8 bytes with the
 * account's ed25519 key (wallet standard `solana:signMessage`, Phantom's `signMessage`). The
 * address is the base58 public key, so the signature checks against the address itself.
 */
import { base58 } from '@scure/base';
import type { SignInFields, WalletAddress, WalletChain } from './chain.js';
import { assertEd25519Signed } from './ed25519.js';
import { walletError } from './errors.js';
import { readSignInText, signInText } from './message.js';

function publicKeyOf(address: string): Uint8Array | undefined {
  try {
    const bytes = base58.decode(address);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

export const solana: WalletChain = {
  kind: 'solana',
  network: 'Solana',
  defaultChainId: 'mainnet',
  nonceBytes: 16,

  parseAddress(input: string): WalletAddress {
    const value = input.trim();
    const key = publicKeyOf(value);
    if (!key) throw walletError('invalid_address', 'Enter a Solana address: the 32 to 44 base58 characters your wallet shows.');
    // Base58 has one spelling per key; re-encoding drops nothing but guards the stored form.
    const canonical = base58.encode(key);
    return { externalId: canonical, display: canonical };
  },

  createMessage: (f: SignInFields) => signInText('Solana', f),
  readMessage: (text: string) => readSignInText('Solana', text),

  async verify({ challenge, signed, proof }) {
    const key = publicKeyOf(challenge.address) as Uint8Array;
    assertEd25519Signed({
      address: challenge.address,
      signature: proof.signature,
      signed,
      publicKey: key,
      badFormat: 'Paste the 64-byte signature your wallet gave, in base58, base64 or hex.',
    });
    return { details: { proof: 'siws' } };
  },
};
