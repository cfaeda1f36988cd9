import { describe, expect, it } from 'vitest';
import type { Client } from '../db/schema.js';
import type { MetadataColumns } from './normalize.js';
import { holdReviewed } from './pending-changes.js';

const existing = {
  status: 'approved',
  token_endpoint_auth_method: 'client_secret_basic',
  application_type: 'web',
  redirect_uris: ['https://app.example/cb'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  scope: 'openid',
} as unknown as Client;

const edit = (overrides: Partial<MetadataColumns>): MetadataColumns =>
  ({
    name: 'New name',
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
    redirect_uris: JSON.stringify(['https://app.example/cb']),
    post_logout_redirect_uris: '[]',
    grant_types: JSON.stringify(['authorization_code']),
    response_types: JSON.stringify(['code']),
    scope: 'openid',
    ...overrides,
  }) as MetadataColumns;

const now = new Date('2031-01-01T00:00:00Z');

describe('which edits of an approved client wait for an operator', () => {
  it('applies descriptive fields at once and holds only the reviewed fields that changed', () => {
    const held = holdReviewed(edit({ scope: 'openid Email' }), existing, now);
    expect(held.fields).toEqual(['scope']);
    expect(held.columns).toMatchObject({ name: 'New name' });
    expect(held.columns).not.toHaveProperty('scope');
    expect(JSON.parse(String(held.columns.pending_changes))).toEqual({ scope: 'openid Email', requested_at: now.toISOString() });
  });

  it('holds nothing when no reviewed field changed', () => {
    const held = holdReviewed(edit({}), existing, now);
    expect(held.fields).toEqual([]);
    expect(held.columns.pending_changes).toBeNull();
  });

  it('refuses a switch between confidential and public', () => {
    expect(() => holdReviewed(edit({ token_endpoint_auth_method: 'none' }), existing, now)).toThrow(
      expect.objectContaining({ error: 'invalid_client_metadata' }),
    );
  });
});
