/**
 * What every console route renders through: the console's frame around a page, with the
 * signed-in operator and one CSRF token per response, and the services the routes call.
 */
import type {} from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleViews } from '../../clients/console-views.js';
import type { Gatehouse } from '../../gatehouse.js';
import type { SafeHtml } from '../../ui/html.js';
import { pageHeaders } from '../../ui/layout.js';
import { type ConsoleSection, consolePage } from '../../ui/pages/console.js';
import type { DescribeScope } from '../../ui/pages/console-decisions.js';
import { csrfToken } from '../ui/ui-support.js';

export interface ConsolePage {
  title: string;
  body: SafeHtml;
  current?: ConsoleSection;
  status?: number;
}

export class ConsoleFrame {
  readonly views: ConsoleViews;
  readonly describe: DescribeScope;
  private readonly operators = new WeakMap<FastifyRequest, string>();
  // One token per response: a second generateCsrf on a first visit would make a second secret and cookie.
  private readonly tokens = new WeakMap<FastifyReply, string>();

  constructor(
    readonly gh: Gatehouse,
    /** ADMIN_TOKEN=none: every page says that anyone who reaches the port is let in. */
    readonly open: boolean,
  ) {
    this.views = new ConsoleViews({ clients: gh.clients, store: gh.clientStore, accounts: gh.login.accounts, audit: gh.audit });
    this.describe = (scope) => gh.scopes.get(scope)?.description;
  }

  signedIn(request: FastifyRequest, operator: string): void {
    this.operators.set(request, operator);
  }

  operatorOf(request: FastifyRequest): string | undefined {
    return this.operators.get(request);
  }

  csrf(reply: FastifyReply): string {
    const known = this.tokens.get(reply);
    if (known !== undefined) return known;
    const token = csrfToken(reply);
    this.tokens.set(reply, token);
    return token;
  }

  send(reply: FastifyReply, request: FastifyRequest, page: ConsolePage) {
    // The frame's one form is the signed-in operator's sign-out. A request refused before its
    // cookies were read (the admin port's guard) has no operator, and needs no token.
    const operator = this.operators.get(request);
    return reply
      .status(page.status ?? 200)
      .headers(pageHeaders())
      .type('text/html; charset=utf-8')
      .send(
        consolePage({
          title: page.title,
          body: page.body,
          open: this.open,
          operator,
          csrf: operator === undefined ? undefined : this.csrf(reply),
          current: page.current,
        }),
      );
  }
}

/** A console area's routes, registered inside the console's signed-in scope. */
export type ConsoleArea = (scope: FastifyInstance, frame: ConsoleFrame, csrf: CsrfGuard) => void;

/** The route option that checks a form's CSRF token. */
export type CsrfGuard = { preHandler: FastifyInstance['csrfProtection'] };
