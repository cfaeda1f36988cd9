/**
 * ID token signing keys: generated on first start, stored encrypted, shared by every node
 * through the database. Rotation adds a new active key and retires the previous one, which
 * stays published in the JWKS so tokens it signed still verify. Each node keeps the active
 * keys for CACHE_MS, so signing costs no query; the SQL is SigningKeyStore's
 * (signing-key-store.ts).
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { json } from '../db/schema.js';
import { conflict, invalidRequest, notFound } from '../oauth/errors.js';
import type { SecretBox } from './encryption.js';
import type { SigningKeyStore } from './signing-key-store.js';
import { newId } from './tokens.js';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The key set name, as Hydra's admin API addresses keys by set. */
export const ID_TOKEN_KEY_SET = 'gatehouse.openid.id-token';

export interface ActiveKey {
  kid: string;
  alg: SigningAlgorithm;
  /** A node:crypto key: the hot signing path is node:crypto's (src/crypto/jws.ts). */
  key: KeyObject;
}

export interface PublicKeyInfo {
  kid: string;
  alg: string;
  state: 'active' | 'retired';
  created_at: Date;
  retired_at: Date | null;
  jwk: JWK;
}

// How long another node may keep signing with a key after it was rotated elsewhere.
const CACHE_MS = 10_000;

export class SigningKeys {
  private cache: { at: number; keys: Map<SigningAlgorithm, ActiveKey> } | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates an active key for every algorithm that has none (first start). */
  async ensure(): Promise<void> {
    await this.store.locked(async (store) => {
      const active = await store.activeAlgorithms();
      for (const alg of SIGNING_ALGORITHMS) {
        if (!active.includes(alg)) await this.insertKey(store, alg);
      }
    });
  }

  /**
   * Adds new active keys (all algorithms, or one) and retires the ones they replace. A `kid`
   * (one algorithm only) names the new key, as Hydra's createJsonWebKeySet does.
   */
  async rotate(alg?: SigningAlgorithm, kid?: string): Promise<PublicKeyInfo[]> {
    const algs = alg ? [alg] : [...SIGNING_ALGORITHMS];
    if (kid !== undefined && (algs.length !== 1 || !/^[A-Za-z0-9._~-]{1,128}$/.test(kid))) {
      throw invalidRequest('kid must be 1-128 characters of A-Z a-z 0-9 . _ ~ - and needs an alg.');
    }
    const created: string[] = [];
    await this.store.locked(async (store) => {
      if (kid !== undefined && (await store.exists(kid))) {
        throw conflict(`A key with kid "${kid}" already exists.`);
      }
      await store.retireActive(algs, new Date(this.now()));
      for (const a of algs) created.push(await this.insertKey(store, a, kid));
    });
    this.cache = undefined;
    return (await this.list()).filter((k) => created.includes(k.kid));
  }

  /** Removes a retired key from the JWKS for good; an active key cannot be deleted. */
  async remove(kid: string): Promise<void> {
    const state = await this.store.stateOf(kid);
    if (!state) throw notFound(`No key with kid "${kid}".`);
    if (state === 'active') {
      throw conflict('The active key cannot be deleted; rotate first.');
    }
    await this.store.remove(kid);
  }

  async list(): Promise<PublicKeyInfo[]> {
    const rows = await this.store.listPublic();
    return rows.map(({ public_jwk, ...row }) => ({ ...row, jwk: public_jwk as JWK }));
  }

  /** The published key set: active and retired public keys. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.list()).map((k) => k.jwk) };
  }

  async active(alg: SigningAlgorithm): Promise<ActiveKey> {
    if (!this.cache || this.now() - this.cache.at > CACHE_MS) {
      const rows = await this.store.activePrivate();
      const keys = new Map<SigningAlgorithm, ActiveKey>();
      for (const row of rows) {
        const jwk = JSON.parse(this.box.decrypt(row.private_jwk, `signing-key:${row.kid}`)) as JWK;
        // Ordered oldest first: the newest active key of an algorithm wins.
        keys.set(row.alg as SigningAlgorithm, {
          kid: row.kid,
          alg: row.alg as SigningAlgorithm,
          key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }),
        });
      }
      this.cache = { at: this.now(), keys };
    }
    const key = this.cache.keys.get(alg);
    if (!key) {
      this.cache = undefined;
      throw new Error(`no active ${alg} signing key`);
    }
    return key;
  }

  /** Generates a key pair and stores it, the private half encrypted to its kid, through the locked store. */
  private async insertKey(store: SigningKeyStore, alg: SigningAlgorithm, kid = newId()): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    await store.insert({
      kid,
      alg,
      private_jwk: this.box.encrypt(JSON.stringify(privateJwk), `signing-key:${kid}`),
      public_jwk: json(publicJwk),
    });
    return kid;
  }
}
