/**
 * Cosmos chains (Sei, Injective): ADR-036 arbitrary signing, as Keplr's `signArbitrary` does
 * it. The wallet signs an amino sign doc holding one `sign/MsgSignData` (the signer's bech32
 * address and our message in base64) with empty chain id, zero account number, sequence and
 * fee, serialised as sorted-key JSON. Sei keys are Cosmos secp256k1 (address
 * ripemd160(sha256(compressed key)), digest sha256); Injective keys are Ethereum-style
 * (address keccak256(uncompressed key)[12..]), and Keplr hashes their sign doc with
 * keccak256 instead of sha256 (its `ethsecp256k1` algorithm); sha256 is also accepted for
 * Injective, as other tools sign the plain ADR-036 digest.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { ripemd160 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { keccak_256 } from '@noble/hashes/sha3';
import { base64, bech32 } from '@scure/base';
import type { SignInFields, StoredChallenge, WalletAddress, WalletChain, WalletKind } from './chain.js';
import { decodings, textBytes } from './encoding.js';
import { walletError } from './errors.js';
import { readSignInText, signInText } from './message.js';

interface CosmosChain {
  kind: Extract<WalletKind, 'sei' | 'injective'>;
  network: string;
  prefix: string;
  /** The chain id Keplr is asked to enable (the sign doc itself has an empty chain id). */
  chainId: string;
  addressBytes(publicKey: Uint8Array): Uint8Array;
  digests: readonly { name: string; hash: (bytes: Uint8Array) => Uint8Array }[];
}

const cosmosAddress = (publicKey: Uint8Array) => ripemd160(sha256(secp256k1.Point.fromHex(publicKey).toRawBytes(true)));
const ethAddress = (publicKey: Uint8Array) =>
  keccak_256(secp256k1.Point.fromHex(publicKey).toRawBytes(false).subarray(1)).subarray(12);

/** JSON with object keys sorted at every level (the amino sign bytes). */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** ADR-036 sign doc bytes for `data` signed by `signer`, escaped as cosmjs's serializeSignDoc does. */
export function adr036SignBytes(signer: string, data: string): Uint8Array {
  const doc = {
    chain_id: '',
    account_number: '0',
    sequence: '0',
    fee: { gas: '0', amount: [] },
    msgs: [{ type: 'sign/MsgSignData', value: { signer, data: base64.encode(textBytes(data)) } }],
    memo: '',
  };
  const json = sortedJson(doc).replace(/[&<>]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  return textBytes(json);
}

/**
 * The signature and public key from what was pasted: Keplr's StdSignature JSON
 * (`{"pub_key":{"type":…,"value":…},"signature":…}`), or the two values apart.
 */
function readProof(signature: string, publicKey: string | undefined): { signature: string; publicKey: string | undefined } {
  const text = signature.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { pub_key?: { value?: unknown }; signature?: unknown };
      if (typeof parsed.signature === 'string') {
        const key = typeof parsed.pub_key?.value === 'string' ? parsed.pub_key.value : publicKey;
        return { signature: parsed.signature, publicKey: key };
      }
    } catch (err) {
      // Not JSON after all: read as a plain signature below.
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  return { signature: text, publicKey };
}

function publicKeyFrom(text: string | undefined): Uint8Array | undefined {
  if (!text) return undefined;
  for (const length of [33, 65]) {
    for (const bytes of decodings(text, length)) {
      try {
        secp256k1.Point.fromHex(bytes);
        return bytes;
      } catch {
        // Not a point on the curve.
      }
    }
  }
  return undefined;
}

function cosmosChain(c: CosmosChain): WalletChain {
  const hint = `${c.prefix}1…`;
  return {
    kind: c.kind,
    network: c.network,
    defaultChainId: c.chainId,
    nonceBytes: 16,

    parseAddress(input: string): WalletAddress {
      const value = input.trim();
      let bytes: Uint8Array | undefined;
      try {
        const decoded = bech32.decode(value as `${string}1${string}`, 90);
        if (decoded.prefix === c.prefix) bytes = bech32.fromWords(decoded.words);
      } catch {
        bytes = undefined;
      }
      if (bytes?.length !== 20) {
        throw walletError('invalid_address', `Enter a ${c.network} address: it starts with ${hint}`);
      }
      const canonical = bech32.encode(c.prefix, bech32.toWords(bytes));
      return { externalId: canonical, display: canonical };
    },

    createMessage: (f: SignInFields) => signInText(c.network, f),
    readMessage: (text: string) => readSignInText(c.network, text),

    walletRequest: (challenge: StoredChallenge) => ({ chainId: c.chainId, signer: challenge.address }),

    async verify({ challenge, signed, proof }) {
      const pasted = readProof(proof.signature, proof.publicKey);
      const publicKey = publicKeyFrom(pasted.publicKey);
      if (!publicKey) {
        throw walletError(
          'invalid_public_key',
          'Paste the public key of your account (base64 or hex, 33 bytes), or the whole JSON that Keplr returns.',
        );
      }
      const derived = bech32.encode(c.prefix, bech32.toWords(c.addressBytes(publicKey)));
      if (derived !== challenge.address) {
        throw walletError('address_mismatch', `This public key belongs to ${derived}, not to ${challenge.address}.`);
      }
      const candidates = decodings(pasted.signature, 64);
      if (candidates.length === 0) {
        throw walletError(
          'invalid_signature',
          'Paste the 64-byte signature (base64) your wallet gave, or the whole JSON that Keplr returns.',
        );
      }
      const bytes = adr036SignBytes(challenge.address, signed);
      for (const digest of c.digests) {
        const hash = digest.hash(bytes);
        for (const signature of candidates) {
          let valid = false;
          try {
            // Ownership is all a signature proves here: a high-S twin proves it as well.
            valid = secp256k1.verify(signature, hash, publicKey, { prehash: false, lowS: false });
          } catch {
            valid = false;
          }
          if (valid) return { details: { proof: 'adr-036', digest: digest.name } };
        }
      }
      throw walletError(
        'invalid_signature',
        `This signature was not made by ${challenge.address} over this message. Sign the message exactly as shown, with the wallet that holds this address.`,
      );
    },
  };
}

export const sei = cosmosChain({
  kind: 'sei',
  network: 'Sei',
  prefix: 'sei',
  chainId: 'pacific-1',
  addressBytes: cosmosAddress,
  digests: [{ name: 'sha256', hash: sha256 }],
});

export const injective = cosmosChain({
  kind: 'injective',
  network: 'Injective',
  prefix: 'inj',
  chainId: 'injective-1',
  addressBytes: ethAddress,
  digests: [
    { name: 'keccak256', hash: keccak_256 },
    { name: 'sha256', hash: sha256 },
  ],
});
