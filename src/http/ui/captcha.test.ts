import { readFileSync } from 'node:fs';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.js';
import type { Captcha } from '../../captcha/captcha.js';
import { createCaptcha } from '../../captcha/create-captcha.js';
import { loadConfig } from '../../config/config.js';
import { type Database, migrateToLatest } from '../../db/database.js';
import { installSecurityHeaders } from '../security.js';
import { captchaRoutes } from './captcha.js';

let database: Database;
let captcha: Captcha;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  captcha = createCaptcha(loadConfig({ CAPTCHA: 'altcha' }), {
    db: database.db,
    secret: 'a-system-secret-of-at-least-32-characters',
    now: Date.now,
    altcha: { cost: 10, counter: { min: 10, max: 50 } },
  });
  app = Fastify();
  installSecurityHeaders(app);
  await captchaRoutes(app, captcha);
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

const dist = new URL('../../../node_modules/altcha/dist/', import.meta.url);

describe('captchaRoutes (altcha)', () => {
  it('serves a fresh challenge as JSON that no cache keeps, and the widget solution verifies', async () => {
    const response = await app.inject('/ui/captcha/challenge');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const challenge = response.json() as Challenge;
    expect(challenge.parameters.algorithm).toBe('PBKDF2/SHA-256');

    const again = (await app.inject('/ui/captcha/challenge')).json() as Challenge;
    expect(again.signature).not.toBe(challenge.signature);

    const solution = await solveChallenge({ challenge, deriveKey });
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    expect(await captcha.verify(payload)).toBe(true);
  });

  it('serves the loader as a long-cached JavaScript module that pulls in the CSP-safe build', async () => {
    const response = await app.inject('/ui/assets/altcha.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=604800');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain("import './altcha/widget.js';");
    expect(response.body).toContain("new URL('workers/pbkdf2.js', base)");
    expect(response.body).not.toMatch(/createObjectURL|new Blob|createElement\('style'\)/);

    const etag = response.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const cached = await app.inject({ url: '/ui/assets/altcha.js', headers: { 'if-none-match': etag } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
  });

  it.each([
    ['/ui/assets/altcha/widget.js', 'external/altcha.min.js', 'application/javascript; charset=utf-8'],
    ['/ui/assets/altcha/altcha.css', 'external/altcha.css', 'text/css; charset=utf-8'],
    ['/ui/assets/altcha/workers/pbkdf2.js', 'workers/pbkdf2.js', 'application/javascript; charset=utf-8'],
    ['/ui/assets/altcha/workers/sha.js', 'workers/sha.js', 'application/javascript; charset=utf-8'],
  ])('serves %s from the altcha package (%s)', async (path, file, type) => {
    const response = await app.inject(path);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe('public, max-age=604800');
    expect(response.rawPayload.equals(readFileSync(new URL(file, dist)))).toBe(true);
  });

  it('serves a widget build that needs neither inline styles nor blob: workers', async () => {
    const widget = (await app.inject('/ui/assets/altcha/widget.js')).body;
    expect(widget).toContain('altcha-widget');
    expect(widget).not.toMatch(/createObjectURL|createElement\("style"\)/);
  });
});

describe('captchaRoutes (other captchas)', () => {
  it('registers nothing', async () => {
    const other = Fastify();
    await captchaRoutes(other, createCaptcha(loadConfig({ CAPTCHA: 'none' }), { db: database.db, secret: 's', now: Date.now }));
    expect((await other.inject('/ui/captcha/challenge')).statusCode).toBe(404);
    expect((await other.inject('/ui/assets/altcha.js')).statusCode).toBe(404);
    await other.close();
  });
});
