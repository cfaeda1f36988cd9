/** The client_credentials grant (RFC 6749 4.4): what a client may be given for itself. */
import { describe, expect, it } from 'vitest';
import type { Client } from '../../db/schema.js';
import { readParams } from '../params.js';
import { ScopeCatalogue } from '../scopes.js';
import { testActor, testClient } from '../test-support.js';
import type { IssueOptions } from '../token-issuer.js';
import { clientCredentialsGrant } from './client-credentials.js';

function setUp(client: Client = testClient({ scope: 'openid Email EVMAddress', audience: ['https://api.example'] })) {
  const issued: IssueOptions[] = [];
  const grant = clientCredentialsGrant({
    issuer: {
      issue: async (options) => {
        issued.push(options);
        return { access_token: 'at', token_type: 'Bearer', expires_in: 60, scope: options.scope.join(' ') };
      },
    },
    scopes: new ScopeCatalogue('GatehouseID'),
  });
  const ask = (params: Record<string, string>) =>
    grant.handle({ actor: testActor(), client, params: readParams(params), lenientRedirectUri: false });
  return { ask, issued };
}

describe('client_credentials grant', () => {
  it('gives the client a token for itself, of the scopes and audience it may have, with no refresh token', async () => {
    const { ask, issued } = setUp();
    expect(await ask({ scope: 'Email', audience: 'https://api.example' })).toMatchObject({ scope: 'Email' });
    expect(issued[0]).toMatchObject({
      scope: ['Email'],
      refreshToken: false,
      idToken: false,
      grant: { id: null, subject: 'client-1', audience: ['https://api.example'] },
    });
  });

  it("refuses a scope beyond the client's, a person's scope, an unknown scope and a foreign audience", async () => {
    const { ask, issued } = setUp();
    await expect(ask({ scope: 'SolanaAddress' })).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(ask({ scope: 'openid' })).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(ask({ scope: 'nonsense' })).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(ask({ audience: 'https://elsewhere.example' })).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(issued).toEqual([]);
  });

  it('refuses a public client', async () => {
    const { ask } = setUp(testClient({ token_endpoint_auth_method: 'none' }));
    await expect(ask({})).rejects.toMatchObject({ error: 'unauthorized_client' });
  });
});
