/**
 * The two listeners, as Hydra has them: the public app (OAuth, OIDC, UI, resource API) and
 * the admin app (admin API, metrics), each with its own plugins, error handler and routes.
 */
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config.js';
import { outboxInUse } from '../delivery/create-delivery.js';
import type { Gatehouse } from '../gatehouse.js';
import { installActorContext } from './actor-context.js';
import { auditRoutes } from './admin/audit.js';
import { clientRoutes } from './admin/clients.js';
import { consoleRoutes, usesConsoleSignIn } from './admin/console.js';
import { flowRoutes } from './admin/flows.js';
import { introspectRoutes } from './admin/introspect.js';
import { keyRoutes } from './admin/keys.js';
import { outboxRoutes } from './admin/outbox.js';
import { registrationTokenRoutes } from './admin/registration-tokens.js';
import { installAdminRequestGuard } from './admin/request-guard.js';
import { installBrowserCookies } from './cookies.js';
import { frameworkErrors, installErrorHandler } from './errors.js';
import { installEmptyFormParser, installFormParser } from './forms.js';
import { healthRoutes } from './health.js';
import { installInputGuard } from './input.js';
import { redactingLoggerOptions } from './log-redaction.js';
import type { Metrics } from './metrics.js';
import { authorizeRoutes } from './oauth/authorize.js';
import { discoveryRoutes } from './oauth/discovery.js';
import { galxeRoutes } from './oauth/galxe.js';
import { logoutRoutes } from './oauth/logout.js';
import { registerRoutes } from './oauth/register.js';
import { revokeRoutes } from './oauth/revoke.js';
import { tokenRoutes } from './oauth/token.js';
import { userinfoRoutes } from './oauth/userinfo.js';
import { processRequestId } from './request-ids.js';
import { installSecurityHeaders } from './security.js';
import { accountAppRoutes } from './ui/account-app.js';
import { assetRoutes } from './ui/assets.js';
import { buttonRoutes } from './ui/button.js';
import { captchaRoutes } from './ui/captcha.js';
import { consentAppRoutes } from './ui/consent-app.js';
import { developerPortalRoutes } from './ui/developer-portal.js';
import { loginAppRoutes } from './ui/login-app.js';
import { socialLinkRoutes } from './ui/social-link.js';
import { uiRoutes } from './ui/ui.js';
import { walletLinkRoutes } from './ui/wallet-link.js';

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  metrics?: Metrics;
}

/** TRUST_PROXY=<n>: the n peers nearest to Gatehouse are proxies (Fastify's types want a function). */
const withinHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

/** What both listeners share whatever the configuration. */
export const serverOptions = {
  bodyLimit: 256 * 1024,
  // A request arriving on a kept-alive connection while the server closes (a rolling restart,
  // a SIGTERM) is answered with Connection: close rather than refused with Fastify's 503: the
  // database is still open until the last connection ends (graceful-close.ts), and the client
  // reconnects, to another worker or node, for its next one.
  return503OnClosing: false,
} satisfies FastifyServerOptions;

function baseOptions(options: ServerOptions, config: Config): FastifyServerOptions {
  return {
    // Requests are logged without their secrets (log-redaction.ts), whoever made the logger.
    ...redactingLoggerOptions(options.logger),
    ...serverOptions,
    // Behind a proxy the issuer decides URLs; the client's address comes from X-Forwarded-For,
    // but only when the peer is a proxy we were told to trust: anyone else could send one.
    trustProxy: typeof config.trustProxy === 'number' ? withinHops(config.trustProxy) : config.trustProxy,
    // X-Request-Id is read by processRequestId, which keeps it only when well-formed.
    requestIdHeader: false,
    genReqId: processRequestId,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  };
}

export async function buildPublicApp(gh: Gatehouse, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ ...baseOptions(options, gh.config), frameworkErrors: frameworkErrors({ admin: false }) });
  installErrorHandler(app, { admin: false, issuer: gh.config.issuer });
  installSecurityHeaders(app);
  installFormParser(app);
  installInputGuard(app);
  installActorContext(app, { type: 'anonymous' });
  options.metrics?.instrument(app, 'public');

  // What applications and resource servers call: no cookies.
  for (const routes of [tokenRoutes, revokeRoutes, registerRoutes, userinfoRoutes, discoveryRoutes, galxeRoutes, healthRoutes]) {
    await routes(app, gh);
  }
  // What browsers visit: pages, redirects that read the session, and their forms.
  await app.register(async (browser) => {
    await installBrowserCookies(browser, gh.box.cookieSecrets(), {
      cookieKey: 'gatehouse_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', secure: gh.config.issuer.startsWith('https:') },
    });
    for (const routes of [
      authorizeRoutes,
      logoutRoutes,
      loginAppRoutes,
      consentAppRoutes,
      accountAppRoutes,
      socialLinkRoutes,
      walletLinkRoutes,
      developerPortalRoutes,
      buttonRoutes,
    ]) {
      await routes(browser, gh);
    }
    await uiRoutes(browser);
    await assetRoutes(browser);
    await captchaRoutes(browser, gh.login.captcha);
  });
  return app;
}

export interface AdminServerOptions extends ServerOptions {
  /** The bearer token the admin port requires (loadAdminToken); undefined only for ADMIN_TOKEN=none. */
  adminToken?: string | undefined;
  /** Where a generated token is kept, which the console's sign-in page points the operator to. */
  adminTokenFile?: string | undefined;
}

export async function buildAdminApp(gh: Gatehouse, options: AdminServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ ...baseOptions(options, gh.config), frameworkErrors: frameworkErrors({ admin: true }) });
  installErrorHandler(app, { admin: true, issuer: gh.config.issuer });
  installSecurityHeaders(app);
  // No browser page may drive the admin port (request-guard.ts): its own Host names only, no
  // cross-site requests, and JSON bodies only, which no page can send to it without CORS.
  const token = options.adminToken;
  installAdminRequestGuard(app, {
    bindHost: gh.config.adminHost,
    extraHosts: gh.config.adminHosts ?? [],
    token,
    // The console signs operators in with the token once and a cookie after (src/audit/operator-sessions.ts).
    tokenExempt: (request) => request.url.startsWith('/health/') || usesConsoleSignIn(request),
  });
  app.removeContentTypeParser('text/plain');
  installEmptyFormParser(app);
  installInputGuard(app, { bodilessWritesAreEmpty: true });
  // Everyone on the admin port is an operator; the console names who (ADMIN_TOKEN holders are "admin-api").
  installActorContext(app, { type: 'operator', id: 'admin-api' });
  options.metrics?.instrument(app, 'admin');

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Gatehouse admin API',
        version: '1',
        description: 'Hydra-compatible administration of clients, flows, tokens and keys.',
      },
      ...(token
        ? { components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } }, security: [{ admin: [] }] }
        : {}),
    },
  });
  for (const routes of [clientRoutes, flowRoutes, keyRoutes, auditRoutes, healthRoutes]) {
    await routes(app, gh);
  }
  // RFC 7662 keeps its form body, in a scope of its own.
  await app.register(async (introspection) => {
    installFormParser(introspection);
    await introspectRoutes(introspection, gh);
  });
  await registrationTokenRoutes(app, gh);
  await outboxRoutes(app, { outbox: gh.login.outbox, enabled: outboxInUse(gh.login.delivery) });
  await consoleRoutes(app, gh, { adminToken: token, adminTokenFile: options.adminTokenFile });
  app.get('/admin/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.exposition()),
    );
  }
  return app;
}
