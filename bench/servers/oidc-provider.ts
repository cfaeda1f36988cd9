/**
 * panva's oidc-provider configured like the Gatehouse under test: one confidential client
 * (client_secret_basic), opaque access tokens, the same scopes and lifetimes, the in-memory
 * adapter (or, with BENCH_ADAPTER_URL, the PostgreSQL one of oidc-provider-postgres.ts),
 * refresh-token rotation, and no dev interactions: login and consent are accepted
 * programmatically through its interaction API, as the bench accepts Gatehouse's challenges
 * through the admin API.
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { postgresAdapter } from './oidc-provider-postgres.js';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const day = 86_400;
// Gatehouse signs with a key it generates on first start; so does this server (its built-in
// development keys would log a warning). Both sign ID tokens with BENCH_ID_TOKEN_ALG.
const idTokenAlg = process.env.BENCH_ID_TOKEN_ALG ?? 'RS256';
const jwks = {
  keys: await Promise.all(
    ['RS256', 'ES256'].map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
      return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: alg.toLowerCase() };
    }),
  ),
};

const adapterUrl = process.env.BENCH_ADAPTER_URL;

const provider = new Provider(issuer, {
  ...(adapterUrl ? { adapter: (await postgresAdapter(adapterUrl)).Model } : {}),
  clients: [
    {
      client_id: process.env.BENCH_CLIENT_ID ?? 'bench',
      client_secret: process.env.BENCH_CLIENT_SECRET ?? 'bench-secret',
      redirect_uris: [process.env.BENCH_REDIRECT_URI ?? 'https://app.example/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid offline_access email',
      id_token_signed_response_alg: idTokenAlg,
    },
  ],
  jwks,
  scopes: ['openid', 'offline_access', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: { enabled: false },
  },
  findAccount: async (_ctx: unknown, sub: string) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@bench.example`, email_verified: true }),
  }),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: day,
    ClientCredentials: day,
    AuthorizationCode: 600,
    RefreshToken: 30 * day,
    Interaction: 3600,
    Session: day,
    Grant: 30 * day,
  },
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
});
// Keep its own per-request logging out of the measurement.
provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider server_error: ${error}\n`));

const callback = provider.callback();

const server = createServer(async (req, res) => {
  if (!req.url?.startsWith('/interaction/')) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: 'bench-user' } }, { mergeWithLastSubmission: false });
      return;
    }
    const { client_id, scope } = details.params as { client_id: string; scope: string };
    const grant = new provider.Grant({ accountId: details.session?.accountId as string, clientId: client_id });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
