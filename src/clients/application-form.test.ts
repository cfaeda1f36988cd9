import { describe, expect, it } from 'vitest';
import type { Client } from '../db/schema.js';
import { OAuthError, type OAuthErrorCode } from '../oauth/errors.js';
import { ScopeCatalogue } from '../oauth/scopes.js';
import { clientTypeOf, fieldOfRefusal, readApplicationForm, valuesOf } from './application-form.js';

const scopes = new ScopeCatalogue('GatehouseID');

const good = {
  client_name: '  Tom & Jerry’s app ',
  description: 'Cartoons.\nSecond line.',
  client_uri: 'https://app.example',
  logo_uri: 'https://app.example/logo.png',
  policy_uri: '',
  tos_uri: 'http://localhost:3000/terms',
  contact: ' Dev@App.Example ',
  client_type: 'confidential',
  redirect_uris: 'https://app.example/cb\r\n\r\n  http://127.0.0.1:3000/cb  \nhttps://app.example/cb',
  post_logout_redirect_uris: '',
  scope: ['Email', 'openid'],
};

describe('readApplicationForm', () => {
  it('turns a good form into the Clients service input: trimmed, one URI per line, scopes in catalogue order', () => {
    const { errors, input } = readApplicationForm(good, { scopes });
    expect(errors).toEqual({});
    expect(input).toEqual({
      client_name: 'Tom & Jerry’s app',
      description: 'Cartoons.\nSecond line.',
      client_uri: 'https://app.example',
      logo_uri: 'https://app.example/logo.png',
      policy_uri: '',
      tos_uri: 'http://localhost:3000/terms',
      contacts: ['dev@app.example'],
      redirect_uris: ['https://app.example/cb', 'http://127.0.0.1:3000/cb'],
      post_logout_redirect_uris: [],
      scope: 'openid Email',
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
    });
  });

  it('maps the client types to auth method and application type', () => {
    const publicApp = readApplicationForm({ ...good, client_type: 'public' }, { scopes }).input;
    expect(publicApp).toMatchObject({ token_endpoint_auth_method: 'none', application_type: 'web' });
    const native = readApplicationForm(
      { ...good, client_type: 'native', redirect_uris: 'com.example.app:/cb' },
      { scopes },
    ).input;
    expect(native).toMatchObject({ token_endpoint_auth_method: 'none', application_type: 'native' });
    // A fixed type (an approved application) ignores what was posted and sends no type at all.
    const fixed = readApplicationForm({ ...good, client_type: 'public' }, { scopes, clientType: 'confidential' }).input;
    expect(fixed).not.toHaveProperty('token_endpoint_auth_method');
  });

  it.each([
    ['client_name', { client_name: '' }, 'Enter the name'],
    ['client_name', { client_name: 'x'.repeat(201) }, 'at most 200 characters'],
    ['client_name', { client_name: '<b>Bold</b>' }, 'cannot contain < or >'],
    ['client_name', { client_name: 'Pay\u202Epal' }, 'invisible'],
    ['description', { description: 'd'.repeat(2001) }, 'at most 2000'],
    ['client_uri', { client_uri: 'app.example' }, 'full URL'],
    ['policy_uri', { policy_uri: 'javascript:alert(1)' }, 'https:// or http://'],
    ['logo_uri', { logo_uri: 'http://app.example/logo.png' }, 'https://'],
    ['contact', { contact: '' }, 'Enter an email address'],
    ['contact', { contact: 'not an email' }, 'email address'],
    ['client_type', { client_type: 'superuser' }, 'Choose the kind'],
    ['redirect_uris', { redirect_uris: '  \n ' }, 'at least one redirect URI'],
    ['redirect_uris', { redirect_uris: 'http://app.example/cb' }, 'must use https unless the host is a loopback address'],
    ['redirect_uris', { redirect_uris: 'https://app.example/cb#top' }, 'must not contain a fragment'],
    ['redirect_uris', { redirect_uris: 'https://*.app.example/cb' }, 'must not contain a wildcard'],
    ['redirect_uris', { redirect_uris: 'com.example.app:/cb' }, 'must use https'],
    ['redirect_uris', { redirect_uris: Array.from({ length: 51 }, (_, i) => `https://a.example/${i}`).join('\n') }, 'at most 50'],
    ['post_logout_redirect_uris', { post_logout_redirect_uris: 'https://app.example/out#x' }, 'fragment'],
    ['scopes', { scope: [] }, 'at least one scope'],
    ['scopes', { scope: ['openid', 'admin'] }, 'Unknown scope: admin'],
  ])('refuses a bad %s with a message for that field', (field, change, message) => {
    const { errors, input, values } = readApplicationForm({ ...good, ...change }, { scopes });
    expect(input).toBeUndefined();
    expect(errors[field as keyof typeof errors]).toContain(message);
    // What was typed comes back (only trimmed) for the form to show again.
    if (field === 'client_name') expect(values.client_name).toBe((change as { client_name: string }).client_name.trim());
  });

  it('reports every problem at once, naming each bad redirect URI', () => {
    const { errors } = readApplicationForm(
      { ...good, client_name: '', redirect_uris: 'http://a.example/cb\nhttps://b.example/#f\nhttps://ok.example/cb' },
      { scopes },
    );
    expect(Object.keys(errors).sort()).toEqual(['client_name', 'redirect_uris']);
    expect(errors.redirect_uris).toContain('"http://a.example/cb"');
    expect(errors.redirect_uris).toContain('"https://b.example/#f"');
    expect(errors.redirect_uris).not.toContain('ok.example');
  });

  it('refuses a tampered form as a whole: repeated single fields, non-text values', () => {
    expect(() => readApplicationForm({ ...good, client_name: ['a', 'b'] }, { scopes })).toThrow(/more than once/);
    expect(() => readApplicationForm({ ...good, client_name: { $ne: 1 } }, { scopes })).toThrow(/must be text/);
    expect(() => readApplicationForm({ ...good, scope: [1, 2] }, { scopes })).toThrow(/must be text/);
    expect(readApplicationForm(null, { scopes }).errors.client_name).toBeDefined();
  });
});

describe('valuesOf and clientTypeOf', () => {
  const client = {
    name: 'App',
    description: null,
    client_uri: null,
    logo_uri: null,
    policy_uri: null,
    tos_uri: null,
    contacts: ['dev@app.example', 'ops@app.example'],
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
    redirect_uris: ['https://app.example/cb'],
    post_logout_redirect_uris: [],
    scope: 'openid Email',
    pending_changes: { redirect_uris: ['https://app.example/new'], requested_at: '2031-01-01T00:00:00.000Z' },
  } as unknown as Client;

  it('fills the edit form with what the developer last asked for, pending changes included', () => {
    expect(valuesOf(client)).toMatchObject({
      client_name: 'App',
      description: '',
      contact: 'dev@app.example',
      client_type: 'confidential',
      redirect_uris: 'https://app.example/new',
      scopes: ['openid', 'Email'],
    });
  });

  it('names the three client types', () => {
    expect(clientTypeOf({ token_endpoint_auth_method: 'client_secret_post', application_type: 'web' })).toBe('confidential');
    expect(clientTypeOf({ token_endpoint_auth_method: 'none', application_type: 'web' })).toBe('public');
    expect(clientTypeOf({ token_endpoint_auth_method: 'none', application_type: 'native' })).toBe('native');
  });
});

describe('fieldOfRefusal', () => {
  it.each([
    ['invalid_client_metadata', 'client_name must be at most 200 characters.', 'client_name'],
    ['invalid_redirect_uri', 'The redirect URI "x" is not an absolute URI.', 'redirect_uris'],
    ['invalid_redirect_uri', 'The post-logout redirect URI "x" is not an absolute URI.', 'post_logout_redirect_uris'],
    ['invalid_client_metadata', 'logo_uri must be an http(s) URL.', 'logo_uri'],
    ['invalid_client_metadata', 'The scope "x" is not supported.', 'scopes'],
    [
      'invalid_client_metadata',
      'An approved application cannot switch between confidential and public; register a new one.',
      'client_type',
    ],
    ['invalid_client_metadata', 'metadata is larger than 16 KiB.', undefined],
  ])('%s "%s" belongs to %s', (error, description, field) => {
    expect(fieldOfRefusal(new OAuthError(error as OAuthErrorCode, description))).toBe(field);
  });
});
