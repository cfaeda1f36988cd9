/** OpenID Provider metadata (OIDC Discovery 1.0), RFC 8414 metadata, and the JWKS. */
import type { FastifyInstance } from 'fastify';
import { AUTH_METHODS } from '../../clients/clients.js';
import { SIGNING_ALGORITHMS } from '../../crypto/signing-keys.js';
import type { Gatehouse } from '../../gatehouse.js';

export function discoveryDocument(gh: Gatehouse) {
  const issuer = gh.config.issuer;
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/auth`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    // RFC 7591: open to holders of an initial access token (see /admin/registration-tokens).
    registration_endpoint: `${issuer}/oauth2/register`,
    end_session_endpoint: `${issuer}/oauth2/sessions/logout`,
    scopes_supported: gh.scopes.names(),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: gh.tokenEndpoint.supportedGrantTypes(),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    code_challenge_methods_supported: ['S256', 'plain'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'sid',
      'at_hash',
      'azp',
      'email',
      'email_verified',
      'phone_number',
      'phone_number_verified',
    ],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    // RFC 9207
    authorization_response_iss_parameter_supported: true,
    frontchannel_logout_supported: false,
    backchannel_logout_supported: false,
  };
}

export async function discoveryRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const document = discoveryDocument(gh);
  const cacheable = 'public, max-age=300';
  app.get('/.well-known/openid-configuration', async (_request, reply) =>
    reply.header('Cache-Control', cacheable).send(document),
  );
  app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
    reply.header('Cache-Control', cacheable).send(document),
  );
  // Short caching: a rotated key must reach verifiers quickly.
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=60').send(await gh.keys.jwks()),
  );
}
