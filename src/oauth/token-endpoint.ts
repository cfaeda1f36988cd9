/**
 * The token endpoint as a short pipeline (RFC 6749 3.2): read the grant type, authenticate
 * the client, check the client may use the grant and the grant's required parameters are
 * there, dispatch to the grant's module.
 * Repeated parameters were already refused when the body was read (params.ts).
 */
import type { Actor } from '../events/actor.js';
import type { ClientAuthenticator } from './client-authentication.js';
import { invalidRequest, OAuthError } from './errors.js';
import type { GrantHandler } from './grant-types/grant.js';
import type { Params } from './params.js';
import type { TokenResponse } from './token-issuer.js';

export class TokenEndpoint {
  private readonly grants: Map<string, GrantHandler>;

  constructor(
    private readonly authenticator: Pick<ClientAuthenticator, 'authenticate'>,
    grants: GrantHandler[],
  ) {
    this.grants = new Map(grants.map((g) => [g.grantType, g]));
  }

  supportedGrantTypes(): string[] {
    return [...this.grants.keys()];
  }

  async handle(input: {
    actor: Actor;
    authorization: string | undefined;
    params: Params;
    lenientRedirectUri: boolean;
    /** The caller's network (addressBucket), under which failed client authentication is counted. */
    address: string;
  }): Promise<TokenResponse> {
    const grantType = input.params.get('grant_type');
    if (grantType === undefined) throw invalidRequest('The request has no grant_type.');
    const grant = this.grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `The grant type "${grantType}" is not supported.`);
    const client = await this.authenticator.authenticate(input.actor, input.authorization, input.params, input.address);
    if (!client.grant_types.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `The client may not use the ${grantType} grant.`);
    }
    const missing = grant.required.find((name) => !input.params.has(name));
    if (missing !== undefined) throw invalidRequest(`The request has no ${missing}.`);
    return grant.handle({ actor: input.actor, client, params: input.params, lenientRedirectUri: input.lenientRedirectUri });
  }
}
