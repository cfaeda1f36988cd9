/**
 * EVM wallets: Sign-In with Ethereum (EIP-4361) messages signed with `personal_sign`
 * (EIP-191), checked by recovering the signer with viem. Addresses are kept lower-case and
 * shown EIP-55 checksummed. Smart-contract wallets (ERC-1271) would need an RPC node to ask
 * the contract, so only key-held accounts (EOAs) can be linked.
 */
import { getAddress, isAddress, verifyMessage } from 'viem';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import type { SignInFields, WalletAddress, WalletChain } from './chain.js';
import { hexBytes } from './encoding.js';
import { walletError } from './errors.js';

/** EIP-155 chain ids are positive integers; a wallet reports its own in hex (eth_chainId). */
export function evmChainId(input: string | undefined): string | undefined {
  if (!input) return undefined;
  const value = input.trim();
  const n = /^0x[0-9a-f]{1,13}$/i.test(value) ? Number.parseInt(value, 16) : /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? String(n) : undefined;
}

export const evm: WalletChain = {
  kind: 'evm',
  network: 'Ethereum',
  defaultChainId: '1',
  nonceBytes: 16,

  parseAddress(input: string): WalletAddress {
    const value = input.trim();
    // Strict: a mixed-case address must carry a valid EIP-55 checksum (it catches typos).
    if (!isAddress(value)) {
      throw walletError(
        'invalid_address',
        /^0x[0-9a-fA-F]{40}$/.test(value)
          ? 'This address has a wrong checksum (upper and lower case letters). Copy it again from your wallet.'
          : 'Enter an Ethereum address: 0x followed by 40 hexadecimal characters.',
      );
    }
    const display = getAddress(value);
    return { externalId: display.toLowerCase(), display };
  },

  createMessage(f: SignInFields): string {
    return createSiweMessage({
      domain: f.domain,
      ...(f.scheme ? { scheme: f.scheme } : {}),
      address: getAddress(f.address),
      statement: f.statement,
      uri: f.uri,
      version: '1',
      chainId: Number(f.chainId),
      nonce: f.nonce,
      issuedAt: f.issuedAt,
      expirationTime: f.expirationTime,
    });
  },

  readMessage(text: string): SignInFields | undefined {
    const m = parseSiweMessage(text);
    if (!m.domain || !m.address || !m.uri || !m.nonce || !m.chainId || m.version !== '1') return undefined;
    if (!m.issuedAt || !m.expirationTime || Number.isNaN(m.issuedAt.getTime()) || Number.isNaN(m.expirationTime.getTime())) {
      return undefined;
    }
    return {
      domain: m.domain,
      scheme: m.scheme,
      address: m.address,
      statement: m.statement ?? '',
      uri: m.uri,
      chainId: String(m.chainId),
      nonce: m.nonce,
      issuedAt: m.issuedAt,
      expirationTime: m.expirationTime,
    };
  },

  async verify({ challenge, signed, proof }) {
    const signature = proof.signature.trim();
    const bytes = hexBytes(signature);
    if (bytes?.length !== 65) {
      throw walletError('invalid_signature', 'Paste the signature your wallet gave: 0x followed by 130 hexadecimal characters.');
    }
    let valid = false;
    try {
      valid = await verifyMessage({
        address: getAddress(challenge.address),
        message: signed,
        signature: `0x${signature.replace(/^0x/i, '')}`,
      });
    } catch {
      valid = false;
    }
    if (!valid) {
      throw walletError(
        'invalid_signature',
        `This signature was not made by ${getAddress(challenge.address)} over this message. Sign the message exactly as shown, with the wallet that holds this address.`,
      );
    }
    return { details: { proof: 'eip-4361' } };
  },
};
