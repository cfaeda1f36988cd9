/**
 * Wallets for tests: keys generated in the test that sign exactly as the real wallets do
 * (MetaMask's personal_sign, Phantom's signMessage, Petra's full message, Keplr's
 * signArbitrary, an FCL account proof), written without the verifiers' own encoders, and a
 * stand-in for the Flow Access API that serves the test accounts' keys.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/nist';
import { secp256k1 } from '@noble/curves/secp256k1';
import { ripemd160 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { keccak_256, sha3_256 } from '@noble/hashes/sha3';
import { randomBytes } from '@noble/hashes/utils';
import { base58, base64, bech32, hex } from '@scure/base';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The challenge as the page's script receives it. */
export interface ChallengeForWallet {
  message: string;
  nonce: string;
  wallet: Record<string, string>;
}

/** What the page posts to …/verify (form field names). */
export interface ProofFields {
  signature: string;
  public_key?: string;
  message?: string;
}

export function evmWallet() {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    address: account.address,
    account,
    /** personal_sign: EIP-191 over the UTF-8 message. */
    signText: async (text: string): Promise<ProofFields> => ({
      signature: await account.signMessage({ message: text }),
      message: text,
    }),
    sign: async (c: ChallengeForWallet): Promise<ProofFields> => ({
      signature: await account.signMessage({ message: c.message }),
    }),
  };
}

export function solanaWallet() {
  const secret = ed25519.utils.randomPrivateKey();
  const address = base58.encode(ed25519.getPublicKey(secret));
  const signText = async (text: string): Promise<ProofFields> => ({
    signature: base58.encode(ed25519.sign(utf8(text), secret)),
    message: text,
  });
  return { address, signText, sign: async (c: ChallengeForWallet) => ({ signature: (await signText(c.message)).signature }) };
}

export function aptosWallet() {
  const secret = ed25519.utils.randomPrivateKey();
  const publicKey = ed25519.getPublicKey(secret);
  const address = `0x${hex.encode(sha3_256(new Uint8Array([...publicKey, 0])))}`;
  const publicKeyHex = `0x${hex.encode(publicKey)}`;
  /** Signs a full message as given (Petra signs the text it composed). */
  const signFull = (fullMessage: string): ProofFields => ({
    message: fullMessage,
    signature: `0x${hex.encode(ed25519.sign(utf8(fullMessage), secret))}`,
    public_key: publicKeyHex,
  });
  return {
    address,
    publicKey: publicKeyHex,
    signFull,
    /** Petra's signMessage({message, nonce}) without the optional fields. */
    sign: async (c: ChallengeForWallet) => signFull(`APTOS\nmessage: ${c.wallet.message}\nnonce: ${c.wallet.nonce}`),
  };
}

/**
 * Keplr's signArbitrary for Sei (Cosmos keys, sha256) or Injective (Ethereum keys, which
 * Keplr signs over keccak256). Returns the StdSignature JSON Keplr hands back.
 */
export function keplrWallet(chain: 'sei' | 'injective', options: { digest?: 'sha256' | 'keccak256' } = {}) {
  const secret = secp256k1.utils.randomPrivateKey();
  const compressed = secp256k1.getPublicKey(secret, true);
  const addressBytes =
    chain === 'sei' ? ripemd160(sha256(compressed)) : keccak_256(secp256k1.getPublicKey(secret, false).subarray(1)).subarray(12);
  const address = bech32.encode(chain === 'sei' ? 'sei' : 'inj', bech32.toWords(addressBytes));
  const digest = options.digest ?? (chain === 'sei' ? 'sha256' : 'keccak256');
  const signArbitrary = (signer: string, data: string) => {
    // The amino sign doc, keys already in sorted order, as Keplr serialises it.
    const doc = `{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":"${base64.encode(utf8(data))}","signer":"${signer}"}}],"sequence":"0"}`;
    const hash = digest === 'sha256' ? sha256(utf8(doc)) : keccak_256(utf8(doc));
    const signature = secp256k1.sign(hash, secret).toCompactRawBytes();
    return JSON.stringify({
      pub_key: { type: 'tendermint/PubKeySecp256k1', value: base64.encode(compressed) },
      signature: base64.encode(signature),
    });
  };
  return {
    address,
    publicKey: base64.encode(compressed),
    signArbitrary,
    signText: async (text: string): Promise<ProofFields> => ({ signature: signArbitrary(address, text), message: text }),
    sign: async (c: ChallengeForWallet): Promise<ProofFields> => ({
      signature: signArbitrary(c.wallet.signer as string, c.message),
    }),
  };
}

// ---- Flow ----

function rlpItem(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && (bytes[0] as number) < 0x80) return bytes;
  return new Uint8Array([...rlpLength(bytes.length, 0x80), ...bytes]);
}
function rlpLength(length: number, offset: number): number[] {
  if (length < 56) return [offset + length];
  const digits = length.toString(16).padStart(2, '0');
  const lengthBytes = hex.decode(digits.length % 2 ? `0${digits}` : digits);
  return [offset + 55 + lengthBytes.length, ...lengthBytes];
}
function rlpList(items: Uint8Array[]): Uint8Array {
  const body = items.flatMap((item) => [...rlpItem(item)]);
  return new Uint8Array([...rlpLength(body.length, 0xc0), ...body]);
}

export interface FlowKey {
  index: number;
  curve: 'ECDSA_P256' | 'ECDSA_secp256k1';
  hash: 'SHA2_256' | 'SHA3_256';
  weight: number;
  revoked: boolean;
  secret: Uint8Array;
}

export function flowAccount(keys: Partial<FlowKey>[] = [{}]) {
  const address = `0x${hex.encode(randomBytes(8))}`;
  const full: FlowKey[] = keys.map((k, i) => {
    const curve = k.curve ?? 'ECDSA_P256';
    return {
      index: k.index ?? i,
      curve,
      hash: k.hash ?? 'SHA3_256',
      weight: k.weight ?? 1000,
      revoked: k.revoked ?? false,
      secret: curve === 'ECDSA_P256' ? p256.utils.randomPrivateKey() : secp256k1.utils.randomPrivateKey(),
    };
  });
  /** What the Access API answers for GET /v1/accounts/{address}?expand=keys. */
  const json = () => ({
    address: address.slice(2),
    balance: '100000',
    keys: full.map((k) => ({
      index: String(k.index),
      public_key: `0x${hex.encode((k.curve === 'ECDSA_P256' ? p256 : secp256k1).getPublicKey(k.secret, false).subarray(1))}`,
      signing_algorithm: k.curve,
      hashing_algorithm: k.hash,
      sequence_number: '0',
      weight: String(k.weight),
      revoked: k.revoked,
    })),
    _expandable: {},
  });
  /** An FCL wallet's account proof for `appIdentifier` and `nonce`, signed with `keyIds`. */
  const proof = (appIdentifier: string, nonce: string, keyIds: number[] = [full[0]?.index ?? 0]) => {
    const tag = new Uint8Array(32);
    tag.set(utf8('FCL-ACCOUNT-PROOF-V0.0'));
    const message = new Uint8Array([...tag, ...rlpList([utf8(appIdentifier), hex.decode(address.slice(2)), hex.decode(nonce)])]);
    const signatures = keyIds.map((keyId) => {
      const key = full.find((k) => k.index === keyId) as FlowKey;
      const digest = key.hash === 'SHA3_256' ? sha3_256(message) : sha256(message);
      const curve = key.curve === 'ECDSA_P256' ? p256 : secp256k1;
      const signature = hex.encode(curve.sign(digest, key.secret, { lowS: false }).toCompactRawBytes());
      return { f_type: 'CompositeSignature', f_vsn: '1.0.0', addr: address, keyId, signature };
    });
    return JSON.stringify({ f_type: 'account-proof', f_vsn: '2.0.0', address, nonce, signatures });
  };
  return { address, keys: full, json, proof };
}

/** Answers like a Flow Access API (REST) for the accounts it is given; counts the requests. */
export async function startFlowAccessApi(accounts: ReturnType<typeof flowAccount>[] = []) {
  const known = new Map<string, ReturnType<typeof flowAccount>>();
  const failing = new Set<string>();
  const add = (account: ReturnType<typeof flowAccount>) => known.set(account.address.slice(2), account);
  /** The API answers 503 for this account, as an overloaded access node does. */
  const fail = (account: ReturnType<typeof flowAccount>) => failing.add(account.address.slice(2));
  for (const a of accounts) add(a);
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    const match = /^\/v1\/accounts\/(?:0x)?([0-9a-f]{16})$/.exec(url.pathname);
    const account = match ? known.get(match[1] as string) : undefined;
    response.setHeader('content-type', 'application/json');
    if (match && failing.has(match[1] as string)) {
      response.statusCode = 503;
      response.end(JSON.stringify({ code: 503, message: 'service unavailable' }));
      return;
    }
    if (!account) {
      response.statusCode = 404;
      response.end(JSON.stringify({ code: 404, message: 'Flow resource not found: account not found' }));
      return;
    }
    response.end(JSON.stringify(account.json()));
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    add,
    fail,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
