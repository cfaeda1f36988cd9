import { describe, expect, it } from 'vitest';
import { ScopeCatalogue } from '../oauth/scopes.js';
import { normalizeMetadata } from './normalize.js';

const scopes = new ScopeCatalogue('GatehouseID');
const base = { redirect_uris: ['https://app.example/cb'] };
const refusal = (input: Record<string, unknown>) => {
  try {
    normalizeMetadata({ ...base, ...input }, undefined, scopes);
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('client metadata, checked', () => {
  it('takes a minimal client with the defaults', () => {
    expect(normalizeMetadata(base, undefined, scopes)).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
      scope: 'openid offline_access',
      grant_types: JSON.stringify(['authorization_code']),
    });
  });

  it.each([
    [{ logo_uri: 'not a url' }, 'invalid_client_metadata', 'logo_uri must be an absolute URL.'],
    [{ tos_uri: 'ftp://app.example/tos' }, 'invalid_client_metadata', 'tos_uri must be an http(s) URL.'],
    [{ client_name: 'x'.repeat(201) }, 'invalid_client_metadata', 'client_name must be at most 200 characters.'],
    [{ contacts: ['x'.repeat(321)] }, 'invalid_client_metadata', 'contacts entries must be at most 320 characters.'],
    [{ scope: 'openid bogus' }, 'invalid_client_metadata', 'The scope "bogus" is not supported.'],
    [{ redirect_uris: ['/relative'] }, 'invalid_redirect_uri', undefined],
  ])('refuses %j with %s', (input, error, description) => {
    const err = refusal(input);
    expect(err).toMatchObject({ error, status: 400 });
    if (description) expect(err).toMatchObject({ description });
  });
});
