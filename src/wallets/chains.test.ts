import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { base64, hex } from '@scure/base';
import { parseSiweMessage } from 'viem/siwe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptos, aptosAddressOf } from './aptos.js';
import type { ChainContext, StoredChallenge, WalletChain, WalletKind, WalletProof } from './chain.js';
import { adr036SignBytes, injective, sei, sortedJson } from './cosmos.js';
import { decodings } from './encoding.js';
import { evm, evmChainId } from './evm.js';
import { accountProofMessage, flow, flowAppIdentifier } from './flow-chain.js';
import { readSignInText, signInText } from './message.js';
import { solana } from './solana.js';
import { aptosWallet, evmWallet, flowAccount, keplrWallet, solanaWallet, startFlowAccessApi } from './test-support.js';

const issuer = 'https://id.example.com';
let flowApi: Awaited<ReturnType<typeof startFlowAccessApi>>;
let ctx: ChainContext;

beforeAll(async () => {
  flowApi = await startFlowAccessApi();
  ctx = { issuer, fetch, flowAccessApi: flowApi.url };
});
afterAll(() => flowApi?.close());

function challengeFor(chain: WalletChain, address: string, nonce = 'a1b2c3d4e5f60718a1b2c3d4e5f60718'): StoredChallenge {
  const parsed = chain.parseAddress(address);
  const issuedAt = new Date('2031-05-01T12:00:00.000Z');
  return {
    id: 'c1',
    accountId: 'acc',
    kind: chain.kind as WalletKind,
    address: parsed.externalId,
    nonce,
    message: chain.createMessage({
      domain: 'id.example.com',
      address: parsed.display,
      statement: 'Link this wallet to your Gatehouse account',
      uri: `${issuer}/ui/account/identities/${chain.kind}`,
      chainId: chain.defaultChainId,
      nonce,
      issuedAt,
      expirationTime: new Date(issuedAt.getTime() + 600_000),
    }),
    expiresAt: new Date(issuedAt.getTime() + 600_000),
    usedAt: null,
  };
}

const verify = (chain: WalletChain, challenge: StoredChallenge, proof: WalletProof, signed?: string) =>
  chain.verify({ challenge, signed: signed ?? chain.signedText?.(challenge) ?? challenge.message, proof }, ctx);

const forWallet = (c: StoredChallenge, chain: WalletChain) => ({
  message: c.message,
  nonce: c.nonce,
  wallet: chain.walletRequest?.(c, ctx) ?? {},
});

describe('sign-in messages', () => {
  it('writes EIP-4361 for EVM, with every field a SIWE parser reads back', () => {
    const wallet = evmWallet();
    const c = challengeFor(evm, wallet.address);
    expect(c.message.split('\n')).toEqual([
      `id.example.com wants you to sign in with your Ethereum account:`,
      wallet.address,
      '',
      'Link this wallet to your Gatehouse account',
      '',
      `URI: ${issuer}/ui/account/identities/evm`,
      'Version: 1',
      'Chain ID: 1',
      'Nonce: a1b2c3d4e5f60718a1b2c3d4e5f60718',
      'Issued At: 2031-05-01T12:00:00.000Z',
      'Expiration Time: 2031-05-01T12:10:00.000Z',
    ]);
    expect(parseSiweMessage(c.message)).toMatchObject({ domain: 'id.example.com', address: wallet.address, chainId: 1 });
    expect(evm.readMessage(c.message)?.nonce).toBe('a1b2c3d4e5f60718a1b2c3d4e5f60718');
  });

  it('writes the same layout for the other chains and reads only its own network', () => {
    const fields = {
      domain: 'id.example.com',
      address: 'sei1abc',
      statement: 'Link this wallet to your Gatehouse account',
      uri: `${issuer}/x`,
      chainId: 'pacific-1',
      nonce: 'n0nce123',
      issuedAt: new Date('2031-05-01T12:00:00.000Z'),
      expirationTime: new Date('2031-05-01T12:10:00.000Z'),
    };
    const text = signInText('Sei', fields);
    expect(text.startsWith('id.example.com wants you to sign in with your Sei account:\nsei1abc\n\n')).toBe(true);
    expect(readSignInText('Sei', text)).toEqual(fields);
    expect(readSignInText('Solana', text)).toBeUndefined();
    expect(readSignInText('Sei', `${text}\nResources:`)).toBeUndefined();
  });

  it('reads an EIP-155 chain id in decimal or as eth_chainId hex, and nothing else', () => {
    expect(evmChainId('0x89')).toBe('137');
    expect(evmChainId('10')).toBe('10');
    for (const bad of ['0', '-1', '1.5', 'abc', '0x', '99999999999999999999']) expect(evmChainId(bad)).toBeUndefined();
  });
});

describe('EVM', () => {
  it('keeps addresses lower-case, shows them checksummed, and refuses a wrong checksum', () => {
    const wallet = evmWallet();
    expect(evm.parseAddress(wallet.address.toLowerCase())).toEqual({
      externalId: wallet.address.toLowerCase(),
      display: wallet.address,
    });
    const flipped = wallet.address.replace(/[a-f]/, (c) => c.toUpperCase());
    if (flipped !== wallet.address) expect(() => evm.parseAddress(flipped)).toThrow(/checksum/);
    expect(() => evm.parseAddress('0x1234')).toThrow(/40 hexadecimal/);
  });

  it('accepts personal_sign of the message by the address, and nothing else', async () => {
    const wallet = evmWallet();
    const other = evmWallet();
    const c = challengeFor(evm, wallet.address);
    await expect(verify(evm, c, await wallet.sign(forWallet(c, evm)))).resolves.toMatchObject({ details: { proof: 'eip-4361' } });
    await expect(verify(evm, c, await other.sign(forWallet(c, evm)))).rejects.toMatchObject({ error: 'invalid_signature' });
    await expect(verify(evm, c, await wallet.signText(`${c.message} `))).rejects.toMatchObject({ error: 'invalid_signature' });
    await expect(verify(evm, c, { signature: '0x1234' })).rejects.toMatchObject({ error: 'invalid_signature' });
    await expect(verify(evm, c, { signature: `0x${'00'.repeat(65)}` })).rejects.toMatchObject({ error: 'invalid_signature' });
  });
});

describe('Solana', () => {
  it('checks the ed25519 signature against the base58 address, in any usual encoding', async () => {
    const wallet = solanaWallet();
    const c = challengeFor(solana, wallet.address);
    const { signature } = await wallet.sign(forWallet(c, solana));
    const raw = decodings(signature, 64)[0] as Uint8Array;
    for (const encoded of [signature, base64.encode(raw), hex.encode(raw)]) {
      await expect(verify(solana, c, { signature: encoded })).resolves.toBeDefined();
    }
    const other = solanaWallet();
    await expect(verify(solana, c, await other.sign(forWallet(c, solana)))).rejects.toMatchObject({ error: 'invalid_signature' });
    expect(() => solana.parseAddress('0OIl')).toThrow(/base58/);
  });
});

describe('Aptos', () => {
  it('derives the address from the public key and checks the full message Petra signs', async () => {
    const wallet = aptosWallet();
    const c = challengeFor(aptos, wallet.address);
    expect(aptosAddressOf(hex.decode(wallet.publicKey.slice(2)))).toBe(wallet.address);
    const proof = await wallet.sign(forWallet(c, aptos));
    expect(proof.message).toBe(`APTOS\nmessage: ${c.message}\nnonce: ${c.nonce}`);
    await expect(
      verify(aptos, c, { signature: proof.signature, publicKey: proof.public_key, message: proof.message }, proof.message),
    ).resolves.toMatchObject({ details: { publicKey: wallet.publicKey } });

    const other = aptosWallet();
    const theirs = await other.sign(forWallet(c, aptos));
    await expect(verify(aptos, c, { signature: theirs.signature, publicKey: theirs.public_key })).rejects.toMatchObject({
      error: 'address_mismatch',
    });
    await expect(verify(aptos, c, { signature: theirs.signature, publicKey: wallet.publicKey })).rejects.toMatchObject({
      error: 'invalid_signature',
    });
    await expect(verify(aptos, c, { signature: proof.signature })).rejects.toMatchObject({ error: 'invalid_public_key' });
  });

  it('unwraps full messages with the optional lines, and refuses another application or address', () => {
    const wallet = aptosWallet();
    const c = challengeFor(aptos, wallet.address);
    const body = `message: ${c.message}\nnonce: ${c.nonce}`;
    const unwrap = (text: string) => aptos.unwrap?.(text, c, ctx);
    expect(unwrap(`APTOS\n${body}`)).toBe(c.message);
    expect(unwrap(`APTOS\naddress: ${wallet.address}\napplication: ${issuer}\nchainId: 1\n${body}`)).toBe(c.message);
    expect(unwrap(`APTOS\napplication: id.example.com\n${body}`)).toBe(c.message);
    expect(() => unwrap(`APTOS\napplication: https://evil.example\n${body}`)).toThrow(/evil\.example/);
    expect(unwrap(`APTOS\naddress: 0x1\n${body}`)).toBeUndefined();
    expect(unwrap(`APTOS\nmessage: ${c.message}\nnonce: other`)).toBeUndefined();
    expect(unwrap(c.message)).toBeUndefined();
  });
});

describe('Cosmos ADR-036 (Sei, Injective)', () => {
  it('builds the sign doc bytes that Keplr signed in a published example', () => {
    // A signArbitrary signature from Keplr's documentation: cosmos1m9l… signing its own address.
    const address = 'cosmos1m9l358xunhhwds0568za49mzhvuxx9uxre5tud';
    const publicKey = base64.decode('A/MdHVpitzHNSdD1Zw3kY+L5PEIPyd9l6sD5i4aIfXp9');
    const signature = base64.decode('vb78/y129cOiWyQkeFF8wCKZsOyzjpILnpEVZ72o5YUhEOmQZzVPcbUqWPLR7aZQ20j6vnYhIuCQN0HEG3igFg==');
    expect(secp256k1.verify(signature, sha256(adr036SignBytes(address, address)), publicKey, { prehash: false })).toBe(true);
    expect(secp256k1.verify(signature, sha256(adr036SignBytes(address, `${address}.`)), publicKey, { prehash: false })).toBe(
      false,
    );
  });

  it('sorts keys at every level and escapes what amino JSON escapes', () => {
    expect(sortedJson({ b: [{ d: 1, c: '<&>' }], a: null })).toBe('{"a":null,"b":[{"c":"<&>","d":1}]}');
    const bytes = new TextDecoder().decode(adr036SignBytes('sei1x', 'hi'));
    expect(bytes).toBe(
      '{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":"aGk=","signer":"sei1x"}}],"sequence":"0"}',
    );
  });

  it('links a Sei address with Keplr’s JSON, or the signature and public key apart', async () => {
    const wallet = keplrWallet('sei');
    const c = challengeFor(sei, wallet.address);
    const { signature } = await wallet.sign(forWallet(c, sei));
    await expect(verify(sei, c, { signature })).resolves.toMatchObject({ details: { digest: 'sha256' } });
    const parsed = JSON.parse(signature);
    await expect(verify(sei, c, { signature: parsed.signature, publicKey: parsed.pub_key.value })).resolves.toBeDefined();
    await expect(verify(sei, c, { signature: parsed.signature })).rejects.toMatchObject({ error: 'invalid_public_key' });
    const other = keplrWallet('sei');
    await expect(verify(sei, c, await other.sign(forWallet(c, sei)))).rejects.toMatchObject({ error: 'address_mismatch' });
    expect(() => sei.parseAddress(wallet.address.replace('sei1', 'inj1'))).toThrow(/sei1/);
  });

  it('links an Injective address signed as Keplr does (keccak256), or over sha256', async () => {
    for (const digest of ['keccak256', 'sha256'] as const) {
      const wallet = keplrWallet('injective', { digest });
      const c = challengeFor(injective, wallet.address);
      await expect(verify(injective, c, await wallet.sign(forWallet(c, injective)))).resolves.toMatchObject({
        details: { digest },
      });
    }
    // Sei keys hash with sha256 only.
    const keccakSei = keplrWallet('sei', { digest: 'keccak256' });
    const c = challengeFor(sei, keccakSei.address);
    await expect(verify(sei, c, await keccakSei.sign(forWallet(c, sei)))).rejects.toMatchObject({ error: 'invalid_signature' });
  });
});

describe('Flow account proof', () => {
  it('encodes the signed bytes as FCL does', () => {
    const nonce = '3037366134636339643564623330316636626239323161663465346131393662';
    expect(hex.encode(accountProofMessage('AWESOME-APP-ID', '0xABC123DEF456', nonce))).toBe(
      '46434c2d4143434f554e542d50524f4f462d56302e3000000000000000000000f8398e415745534f4d452d4150502d4944880000abc123def456a03037366134636339643564623330316636626239323161663465346131393662',
    );
  });

  const flowNonce = 'ab'.repeat(32);

  it('checks the signatures against the account keys from the Access API', async () => {
    const account = flowAccount([{}, { curve: 'ECDSA_secp256k1', hash: 'SHA2_256', index: 3 }]);
    flowApi.add(account);
    const c = challengeFor(flow, account.address, flowNonce);
    const app = flowAppIdentifier(issuer);
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce) })).resolves.toMatchObject({
      details: { keys: [0] },
    });
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce, [3]) })).resolves.toMatchObject({
      details: { keys: [3] },
    });
    const lines = JSON.parse(account.proof(app, flowNonce))
      .signatures.map((s: { keyId: number; signature: string }) => `${s.keyId}:${s.signature}`)
      .join('\n');
    await expect(verify(flow, c, { signature: lines })).resolves.toBeDefined();
    expect(flowApi.requests.at(-1)).toBe(`/v1/accounts/${account.address.slice(2)}?expand=keys`);

    await expect(verify(flow, c, { signature: account.proof('Another app', flowNonce) })).rejects.toMatchObject({
      error: 'invalid_signature',
    });
    await expect(verify(flow, c, { signature: account.proof(app, 'cd'.repeat(32)) })).rejects.toMatchObject({
      error: 'invalid_message',
    });
    await expect(verify(flow, c, { signature: 'not a proof' })).rejects.toMatchObject({ error: 'invalid_signature' });
  });

  it('needs keys weighing 1000 together, none of them revoked', async () => {
    const account = flowAccount([{ weight: 500 }, { weight: 500 }, { revoked: true }]);
    flowApi.add(account);
    const c = challengeFor(flow, account.address, flowNonce);
    const app = flowAppIdentifier(issuer);
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce, [0]) })).rejects.toThrow(/weigh 500/);
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce, [0, 1]) })).resolves.toBeDefined();
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce, [0, 0]) })).rejects.toThrow(/weigh 500/);
    await expect(verify(flow, c, { signature: account.proof(app, flowNonce, [2]) })).rejects.toThrow(/revoked/);
  });

  it('says when the account does not exist or the Access API cannot be reached', async () => {
    const stranger = flowAccount();
    const c = challengeFor(flow, stranger.address, flowNonce);
    const proof = { signature: stranger.proof(flowAppIdentifier(issuer), flowNonce) };
    await expect(verify(flow, c, proof)).rejects.toMatchObject({ error: 'invalid_address' });
    const down = { ...ctx, flowAccessApi: 'http://127.0.0.1:9' };
    await expect(flow.verify({ challenge: c, signed: c.message, proof }, down)).rejects.toMatchObject({
      error: 'wallet_network_unavailable',
      status: 502,
    });
  });
});
