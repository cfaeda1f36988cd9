/** Starts the Dashboard on a port, once Gatehouse answers its discovery request. */
import { randomBytes } from 'node:crypto';
import { GatehouseClient, IDENTITY_SCOPES, isGatehouseError } from '@gatehouse/sdk';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildDashboard } from './app.js';

/** What the Dashboard asks for: its OpenID Connect needs, the account id, and every identity it can show. */
export const DASHBOARD_SCOPES = ['openid', 'offline_access', 'email', 'phone', ...IDENTITY_SCOPES];

export interface StartOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  /** Default `localhost`: the example is not meant to face a network. */
  host?: string;
  /** Default `http://localhost:<port>`. */
  baseUrl?: string;
  /** Default: a random one per start (sessions live in memory and end with the process anyway). */
  cookieSecret?: string;
  scope?: readonly string[];
  logger?: FastifyServerOptions['logger'];
  /** How long to wait for Gatehouse to answer, in milliseconds. Default 30 000. */
  waitMs?: number;
}

export interface RunningDashboard {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Discovery, retried while Gatehouse is still starting (connection refused). */
async function discover(options: StartOptions, baseUrl: string): Promise<GatehouseClient> {
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  for (;;) {
    try {
      return await GatehouseClient.discover({
        issuer: options.issuer,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUri: `${baseUrl}/callback`,
        postLogoutRedirectUri: `${baseUrl}/signed-out`,
        scope: options.scope ?? DASHBOARD_SCOPES,
      });
    } catch (err) {
      if (!isGatehouseError(err, 'network_error') || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export async function startDashboard(options: StartOptions): Promise<RunningDashboard> {
  const baseUrl = (options.baseUrl ?? `http://localhost:${options.port}`).replace(/\/$/, '');
  const gatehouse = await discover(options, baseUrl);
  const app = await buildDashboard({
    gatehouse,
    baseUrl,
    cookieSecret: options.cookieSecret ?? randomBytes(32).toString('base64url'),
    logger: options.logger ?? false,
  });
  await app.listen({ port: options.port, host: options.host ?? 'localhost' });
  return { app, url: baseUrl, close: () => app.close() };
}
