/** The token endpoint's pipeline (RFC 6749 3.2, 5.2): grant type, client, the grant's required parameters. */
import { describe, expect, it } from 'vitest';
import type { GrantContext, GrantHandler } from './grant-types/grant.js';
import { readParams } from './params.js';
import { testActor, testClient } from './test-support.js';
import { TokenEndpoint } from './token-endpoint.js';

function setUp(grantTypes = ['authorization_code']) {
  const handled: GrantContext[] = [];
  const grant: GrantHandler = {
    grantType: 'authorization_code',
    required: ['code'],
    async handle(ctx) {
      handled.push(ctx);
      return { access_token: 'at', token_type: 'Bearer', expires_in: 60, scope: '' };
    },
  };
  const endpoint = new TokenEndpoint({ authenticate: async () => testClient({ grant_types: grantTypes }) }, [grant]);
  const call = (params: Record<string, string>) =>
    endpoint.handle({
      actor: testActor(),
      authorization: undefined,
      params: readParams(params),
      lenientRedirectUri: false,
      address: 'net',
    });
  return { call, handled };
}

describe('TokenEndpoint', () => {
  it('dispatches to the grant of the grant type once its required parameters are there', async () => {
    const { call, handled } = setUp();
    await expect(call({ grant_type: 'authorization_code', code: 'c' })).resolves.toMatchObject({ access_token: 'at' });
    expect(handled).toHaveLength(1);
  });

  it('refuses a request without a parameter its grant requires, naming it, before the grant sees it', async () => {
    const { call, handled } = setUp();
    await expect(call({ grant_type: 'authorization_code' })).rejects.toMatchObject({
      error: 'invalid_request',
      description: 'The request has no code.',
    });
    expect(handled).toEqual([]);
  });

  it('refuses an unknown grant type, and one the client may not use', async () => {
    await expect(setUp().call({ grant_type: 'password' })).rejects.toMatchObject({ error: 'unsupported_grant_type' });
    await expect(setUp([]).call({ grant_type: 'authorization_code', code: 'c' })).rejects.toMatchObject({
      error: 'unauthorized_client',
    });
    await expect(setUp().call({})).rejects.toMatchObject({ error: 'invalid_request' });
  });
});
