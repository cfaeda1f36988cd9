/**
 * Flow wallets: an FCL account proof. The wallet signs, with one or more of the account's
 * keys, the domain tag "FCL-ACCOUNT-PROOF-V0.0" (right-padded to 32 bytes) followed by
 * RLP([app identifier, address (8 bytes), nonce (32 bytes)]). A Flow address is not derived
 * from a key: the account's keys are read from a Flow Access API, and, as FCLCrypto's
 * verifyAccountProofSignatures rules, every signature must verify with a key that is not
 * revoked, and the keys must weigh 1000 together.
 */

import { p256 } from '@noble/curves/nist';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { sha3_256 } from '@noble/hashes/sha3';
import { toRlp } from 'viem';
import type { ChainContext, SignInFields, StoredChallenge, WalletAddress, WalletChain } from './chain.js';
import { concatBytes, hexBytes, textBytes, toHex } from './encoding.js';
import { walletError } from './errors.js';
import { readSignInText, signInText } from './message.js';

const DOMAIN_TAG = (() => {
  const tag = new Uint8Array(32);
  tag.set(textBytes('FCL-ACCOUNT-PROOF-V0.0'));
  return tag;
})();

/** Full signing weight of a Flow account. */
const FULL_WEIGHT = 1000;

export const flowAppIdentifier = (issuer: string) => `Gatehouse (${new URL(issuer).host})`;

/** The bytes an account proof signs (before the key's hash algorithm). */
export function accountProofMessage(appIdentifier: string, address: string, nonce: string): Uint8Array {
  const account = hexBytes(address.replace(/^0x/i, '').padStart(16, '0')) as Uint8Array;
  const rlp = toRlp([textBytes(appIdentifier), account, hexBytes(nonce) as Uint8Array], 'bytes');
  return concatBytes(DOMAIN_TAG, rlp);
}

interface AccountKey {
  index: number;
  publicKey: Uint8Array;
  curve: typeof p256 | typeof secp256k1;
  hash: (bytes: Uint8Array) => Uint8Array;
  weight: number;
  revoked: boolean;
}

interface PastedSignature {
  keyId: number;
  signature: string;
}

/**
 * The signatures as pasted: FCL's account-proof data (`{address, nonce, signatures: [...]}`),
 * its `signatures` array, lines of `keyId:signature`, or one signature (key 0).
 */
function readSignatures(text: string, challenge: StoredChallenge): PastedSignature[] {
  const value = text.trim();
  const bad = () =>
    walletError(
      'invalid_signature',
      'Paste the account proof from your Flow wallet: its JSON (with "signatures"), or lines of key index and signature such as 0:ab12….',
    );
  if (value.startsWith('{') || value.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      if (err instanceof SyntaxError) throw bad();
      throw err;
    }
    let list: unknown = parsed;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const data = parsed as { address?: unknown; nonce?: unknown; signatures?: unknown };
      if (typeof data.address === 'string' && normalize(data.address) !== challenge.address) {
        throw walletError('address_mismatch', `This account proof is for ${data.address}, not for ${challenge.address}.`);
      }
      if (typeof data.nonce === 'string' && data.nonce.toLowerCase() !== challenge.nonce) {
        throw walletError('invalid_message', 'This account proof was made for another nonce. Sign with the nonce shown here.');
      }
      list = data.signatures;
    }
    if (!Array.isArray(list) || list.length === 0) throw bad();
    return list.map((item) => {
      const s = (item ?? {}) as { keyId?: unknown; key_id?: unknown; signature?: unknown; addr?: unknown };
      const keyId = Number(s.keyId ?? s.key_id ?? 0);
      if (!Number.isSafeInteger(keyId) || keyId < 0 || typeof s.signature !== 'string') throw bad();
      if (typeof s.addr === 'string' && normalize(s.addr) !== challenge.address) {
        throw walletError('address_mismatch', `This signature is from ${s.addr}, not from ${challenge.address}.`);
      }
      return { keyId, signature: s.signature };
    });
  }
  const lines = value.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length === 0) throw bad();
  return lines.map((line) => {
    const match = /^\s*(?:(\d{1,9})\s*[:=\s]\s*)?((?:0x)?[0-9a-fA-F]+)\s*$/.exec(line);
    if (!match) throw bad();
    return { keyId: Number(match[1] ?? 0), signature: match[2] as string };
  });
}

function normalize(input: string): string | undefined {
  const value = input.trim();
  if (!/^(0x)?[0-9a-fA-F]{1,16}$/.test(value)) return undefined;
  return `0x${value.replace(/^0x/i, '').toLowerCase().padStart(16, '0')}`;
}

const CURVES = { ECDSA_P256: p256, ECDSA_secp256k1: secp256k1 } as const;
const HASHES = { SHA2_256: sha256, SHA3_256: sha3_256 } as const;

/** The account's keys from the Access API (REST: GET /v1/accounts/{address}?expand=keys). */
async function accountKeys(address: string, ctx: ChainContext): Promise<AccountKey[]> {
  const url = `${ctx.flowAccessApi}/v1/accounts/${address.slice(2)}?expand=keys`;
  let response: Response;
  try {
    response = await ctx.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw walletError(
      'wallet_network_unavailable',
      'The Flow network could not be reached to read this account’s keys. Try again in a moment.',
      err,
    );
  }
  if (response.status === 404 || response.status === 400) {
    throw walletError('invalid_address', `The Flow network has no account at ${address}.`);
  }
  let body: { keys?: unknown } | undefined;
  try {
    body = response.ok ? ((await response.json()) as { keys?: unknown }) : undefined;
  } catch (err) {
    // Not JSON, or the body broke off: no usable answer either way (below).
    if (
      !(
        err instanceof SyntaxError ||
        err instanceof TypeError ||
        (err as Error).name === 'AbortError' ||
        (err as Error).name === 'TimeoutError'
      )
    )
      throw err;
    body = undefined;
  }
  if (!body || !Array.isArray(body.keys)) {
    throw walletError(
      'wallet_network_unavailable',
      'The Flow network gave no usable answer about this account’s keys. Try again in a moment.',
    );
  }
  const keys: AccountKey[] = [];
  for (const raw of body.keys as Record<string, unknown>[]) {
    const curve = CURVES[String(raw.signing_algorithm) as keyof typeof CURVES];
    const hash = HASHES[String(raw.hashing_algorithm) as keyof typeof HASHES];
    const publicKey = hexBytes(String(raw.public_key ?? ''));
    const index = Number(raw.index);
    // Keys of other algorithms (BLS, …) cannot sign account proofs; they are left out, not an error.
    if (!curve || !hash || publicKey?.length !== 64 || !Number.isSafeInteger(index)) continue;
    keys.push({
      index,
      publicKey: concatBytes(Uint8Array.of(0x04), publicKey),
      curve,
      hash,
      weight: Number.parseFloat(String(raw.weight ?? '0')) || 0,
      revoked: raw.revoked === true,
    });
  }
  return keys;
}

export const flow: WalletChain = {
  kind: 'flow',
  network: 'Flow',
  defaultChainId: 'mainnet',
  nonceBytes: 32,

  parseAddress(input: string): WalletAddress {
    const address = normalize(input);
    if (!address) throw walletError('invalid_address', 'Enter a Flow address: 0x followed by 16 hexadecimal characters.');
    return { externalId: address, display: address };
  },

  createMessage: (f: SignInFields) => signInText('Flow', f),
  readMessage: (text: string) => readSignInText('Flow', text),

  walletRequest: (challenge: StoredChallenge, ctx: ChainContext) => {
    const appIdentifier = flowAppIdentifier(ctx.issuer);
    return {
      appIdentifier,
      nonce: challenge.nonce,
      address: challenge.address,
      signable: toHex(accountProofMessage(appIdentifier, challenge.address, challenge.nonce)),
    };
  },

  async verify({ challenge, proof }, ctx) {
    const pasted = readSignatures(proof.signature, challenge);
    const keys = await accountKeys(challenge.address, ctx);
    const message = accountProofMessage(flowAppIdentifier(ctx.issuer), challenge.address, challenge.nonce);
    const counted = new Map<number, number>();
    for (const { keyId, signature } of pasted) {
      const key = keys.find((k) => k.index === keyId);
      if (!key) throw walletError('invalid_signature', `Key ${keyId} is not an ECDSA key of the account ${challenge.address}.`);
      if (key.revoked) throw walletError('invalid_signature', `Key ${keyId} of the account ${challenge.address} is revoked.`);
      const bytes = hexBytes(signature);
      let valid = false;
      try {
        // Flow does not normalise S: both halves of the curve are valid signatures there.
        valid =
          bytes?.length === 64 && key.curve.verify(bytes, key.hash(message), key.publicKey, { prehash: false, lowS: false });
      } catch {
        valid = false;
      }
      if (!valid) {
        throw walletError(
          'invalid_signature',
          `The signature of key ${keyId} does not verify: it must be an account proof for the app identifier "${flowAppIdentifier(ctx.issuer)}" and the nonce shown here.`,
        );
      }
      counted.set(keyId, key.weight);
    }
    const weight = [...counted.values()].reduce((sum, w) => sum + w, 0);
    if (weight < FULL_WEIGHT) {
      throw walletError(
        'invalid_signature',
        `These keys weigh ${weight} together; Flow needs keys weighing ${FULL_WEIGHT} to act for the account. Sign with more of its keys.`,
      );
    }
    return { details: { proof: 'fcl-account-proof', keys: [...counted.keys()] } };
  },
};
