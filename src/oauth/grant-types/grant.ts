/** The shape every grant module has; the token endpoint dispatches through a registry of them. */
import type { Client } from '../../db/schema.js';
import type { Actor } from '../../events/actor.js';
import type { Params } from '../params.js';
import type { TokenResponse } from '../token-issuer.js';

export interface GrantContext {
  /** The authenticated client, as the audit log names it. */
  actor: Actor;
  client: Client;
  params: Params;
  /** The Galxe-compatible alias lets redirect_uri be left out (see authorization-code.ts). */
  lenientRedirectUri: boolean;
}

export interface GrantHandler {
  grantType: string;
  /**
   * Parameters the grant cannot do without: the token endpoint refuses a request that lacks
   * one (invalid_request, RFC 6749 5.2) before it calls `handle`, which may then rely on them.
   */
  required: readonly string[];
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
