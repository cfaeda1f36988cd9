/** TypeBox schemas of the admin API: validation, types and the OpenAPI document from one source. */
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import { ClientInputSchema, ClientMetadata } from '../../clients/metadata.js';
import { CHANGE_DECISIONS, DECISIONS, MAX_REASON } from '../../clients/review.js';

const open = { additionalProperties: true } as const;

export const ErrorBody = Type.Object(
  { error: Type.String(), error_description: Type.String(), status_code: Type.Optional(Type.Integer()) },
  { $id: 'Error' },
);

/** The client metadata an operator may send: the one client schema (src/clients/metadata.ts). */
export const ClientBody = ClientInputSchema;

/** A client status, as the schema defines it. */
const Status = ClientMetadata.properties.status;

export const JsonPatch = Type.Array(
  Type.Object({
    op: Type.String(),
    path: Type.String(),
    value: Type.Optional(Type.Unknown()),
    from: Type.Optional(Type.String()),
  }),
  { maxItems: 100 },
);

export const ClientIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export const ClientListQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  page_token: Type.Optional(ClientMetadata.properties.client_id),
  client_name: Type.Optional(ClientMetadata.properties.client_name),
  owner: Type.Optional(ClientMetadata.properties.owner),
  status: Type.Optional(Status),
});

/** Kept in the audit log and shown to the developer. */
const Reason = Type.Optional(Type.String({ maxLength: MAX_REASON }));

export const StatusBody = Type.Object({ status: Status, reason: Reason });

/** One of the review's decisions (src/clients/review.ts), with its reason. */
const decisionBody = <D extends string>(decisions: Iterable<D>) =>
  Type.Object({ decision: Type.Union([...decisions].map((decision) => Type.Literal(decision))), reason: Reason });

export const DecisionBody = decisionBody(DECISIONS.keys());
export const ChangesDecisionBody = decisionBody(CHANGE_DECISIONS.keys());

export const challengeQuery = (name: string) => Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 256 }) });

export const LoginAccept = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 255 }),
    remember: Type.Optional(Type.Boolean()),
    remember_for: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Seconds the login session (its cookie and its record) is remembered. Capped at TTL_LOGIN_SESSION: a larger value is ' +
          'stored as TTL_LOGIN_SESSION. 0 (the default) makes a cookie that ends when the browser closes, with a session record ' +
          'that lasts TTL_LOGIN_SESSION.',
      }),
    ),
    acr: Type.Optional(Type.String({ maxLength: 255 })),
    amr: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    context: Type.Optional(Type.Object({}, open)),
    extend_session_lifespan: Type.Optional(Type.Boolean()),
    identity_provider_session_id: Type.Optional(Type.String()),
    force_subject_identifier: Type.Optional(Type.String()),
  },
  open,
);

export const Reject = Type.Object(
  {
    error: Type.Optional(Type.String({ maxLength: 100 })),
    error_description: Type.Optional(Type.String({ maxLength: 1000 })),
    error_hint: Type.Optional(Type.String({ maxLength: 1000 })),
    error_debug: Type.Optional(Type.String({ maxLength: 1000 })),
    status_code: Type.Optional(Type.Integer()),
  },
  open,
);

export const ConsentAccept = Type.Object(
  {
    grant_scope: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
    grant_access_token_audience: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })),
    remember: Type.Optional(Type.Boolean()),
    remember_for: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Seconds the consent is remembered for this subject and client; 0 (the default) remembers it until revoked. ' +
          'A remembered consent only skips the consent screen: the person still signs in, within TTL_LOGIN_SESSION.',
      }),
    ),
    session: Type.Optional(
      Type.Object({ access_token: Type.Optional(Type.Object({}, open)), id_token: Type.Optional(Type.Object({}, open)) }, open),
    ),
    handled_at: Type.Optional(Type.String()),
    context: Type.Optional(Type.Object({}, open)),
  },
  open,
);

export const RedirectTo = Type.Object({ redirect_to: Type.String() });

export const KeySetParams = Type.Object({ set: Type.String({ maxLength: 128 }) });
export const KeyParams = Type.Object({ set: Type.String({ maxLength: 128 }), kid: Type.String({ maxLength: 128 }) });
export const KeyCreate = Type.Object(
  {
    alg: Type.Optional(Type.Union([Type.Literal('RS256'), Type.Literal('ES256')])),
    use: Type.Optional(Type.Literal('sig')),
    kid: Type.Optional(Type.String()),
  },
  open,
);

export const AuditQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  /** The id of the last entry of the previous page (entries come newest first). */
  page_token: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'An action, or a prefix ending in "." (e.g. "client.")' })),
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'The acting operator, account or client id' })),
  target_type: Type.Optional(Type.String({ maxLength: 50 })),
  target_id: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});
