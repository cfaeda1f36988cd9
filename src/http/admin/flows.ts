/** Hydra's login, consent and logout request API, and the session endpoints. */

import type {} from '@fastify/swagger';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ConsentAcceptBody } from '../../flows/consent-requests.js';
import type { LoginAcceptBody, RejectBody } from '../../flows/login-requests.js';
import type { Gatehouse } from '../../gatehouse.js';
import { ConsentAccept, challengeQuery, LoginAccept, Reject } from './schemas.js';

const base = '/admin/oauth2/auth';

export async function flowRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const login = challengeQuery('login_challenge');
  type Login = { Querystring: { login_challenge: string } };
  app.get<Login>(`${base}/requests/login`, { schema: { tags: ['login'], querystring: login } }, async (r) =>
    gh.loginRequests.get(r.query.login_challenge),
  );
  app.put<Login & { Body: Static<typeof LoginAccept> }>(
    `${base}/requests/login/accept`,
    { schema: { tags: ['login'], querystring: login, body: LoginAccept } },
    async (r) => gh.loginRequests.accept(r.actor, r.query.login_challenge, r.body as LoginAcceptBody),
  );
  app.put<Login & { Body: Static<typeof Reject> }>(
    `${base}/requests/login/reject`,
    { schema: { tags: ['login'], querystring: login, body: Type.Optional(Reject) } },
    async (r) => gh.loginRequests.reject(r.actor, r.query.login_challenge, (r.body ?? {}) as RejectBody),
  );

  const consent = challengeQuery('consent_challenge');
  type Consent = { Querystring: { consent_challenge: string } };
  app.get<Consent>(`${base}/requests/consent`, { schema: { tags: ['consent'], querystring: consent } }, async (r) =>
    gh.consentRequests.get(r.query.consent_challenge),
  );
  app.put<Consent & { Body: Static<typeof ConsentAccept> }>(
    `${base}/requests/consent/accept`,
    { schema: { tags: ['consent'], querystring: consent, body: Type.Optional(ConsentAccept) } },
    async (r) => gh.consentRequests.accept(r.actor, r.query.consent_challenge, (r.body ?? {}) as ConsentAcceptBody),
  );
  app.put<Consent & { Body: Static<typeof Reject> }>(
    `${base}/requests/consent/reject`,
    { schema: { tags: ['consent'], querystring: consent, body: Type.Optional(Reject) } },
    async (r) => gh.consentRequests.reject(r.actor, r.query.consent_challenge, (r.body ?? {}) as RejectBody),
  );

  const logout = challengeQuery('logout_challenge');
  type Logout = { Querystring: { logout_challenge: string } };
  app.get<Logout>(`${base}/requests/logout`, { schema: { tags: ['logout'], querystring: logout } }, async (r) =>
    gh.logout.get(r.query.logout_challenge),
  );
  app.put<Logout>(`${base}/requests/logout/accept`, { schema: { tags: ['logout'], querystring: logout } }, async (r) =>
    gh.logout.accept(r.query.logout_challenge),
  );
  app.put<Logout>(`${base}/requests/logout/reject`, { schema: { tags: ['logout'], querystring: logout } }, async (r, reply) => {
    await gh.logout.reject(r.query.logout_challenge);
    return reply.status(204).send();
  });

  const ConsentSessionsQuery = Type.Object({
    subject: Type.String({ minLength: 1, maxLength: 255 }),
    login_session_id: Type.Optional(Type.String({ maxLength: 128 })),
  });
  app.get<{ Querystring: Static<typeof ConsentSessionsQuery> }>(
    `${base}/sessions/consent`,
    { schema: { tags: ['sessions'], querystring: ConsentSessionsQuery } },
    async (r) => gh.consentRequests.listSessions(r.query.subject, r.query.login_session_id),
  );
  const RevokeConsentQuery = Type.Object({
    subject: Type.String({ minLength: 1, maxLength: 255 }),
    client: Type.Optional(Type.String({ maxLength: 128 })),
    all: Type.Optional(Type.Boolean()),
  });
  app.delete<{ Querystring: Static<typeof RevokeConsentQuery> }>(
    `${base}/sessions/consent`,
    { schema: { tags: ['sessions'], querystring: RevokeConsentQuery } },
    async (r, reply) => {
      await gh.consentRequests.revokeSessions(r.actor, r.query.subject, r.query.client, r.query.all ?? false);
      return reply.status(204).send();
    },
  );
  const RevokeLoginQuery = Type.Object({
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    sid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  });
  app.delete<{ Querystring: Static<typeof RevokeLoginQuery> }>(
    `${base}/sessions/login`,
    { schema: { tags: ['sessions'], querystring: RevokeLoginQuery } },
    async (r, reply) => {
      await gh.logout.revokeLoginSessions(r.actor, r.query);
      return reply.status(204).send();
    },
  );
}
