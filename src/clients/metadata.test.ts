import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ClientInputSchema, ClientMetadata, maxEntryLength, maxItems, maxLength } from './metadata.js';

describe('the one client schema', () => {
  it('gives every check its limits', () => {
    expect(maxLength('client_name')).toBe(200);
    expect(maxLength('description')).toBe(2000);
    expect(maxLength('logo_uri')).toBe(2000);
    expect(maxLength('status_reason')).toBe(1000);
    expect(maxItems('redirect_uris')).toBe(50);
    expect(maxEntryLength('contacts')).toBe(320);
  });

  it('is the admin body: every field optional, contacts and metadata nullable, unknown fields kept (as Hydra)', () => {
    expect(Value.Check(ClientInputSchema, {})).toBe(true);
    expect(Value.Check(ClientInputSchema, { contacts: null, metadata: null, hydra_only: 1 })).toBe(true);
    expect(Value.Check(ClientInputSchema, { client_name: 'x'.repeat(201) })).toBe(false);
    expect(Value.Check(ClientInputSchema, { status: 'superuser' })).toBe(false);
    expect(Value.Check(ClientInputSchema, { redirect_uris: Array(51).fill('https://a.example/cb') })).toBe(false);
    // What the server sets is not part of what a caller sends.
    expect(Object.keys(ClientInputSchema.properties)).not.toContain('created_at');
    expect(Object.keys(ClientMetadata.properties)).toContain('created_at');
  });
});
