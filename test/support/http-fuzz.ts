/**
 * The HTTP fuzz pass: malformed requests, drawn by fast-check from a seed, across every route
 * of the public and admin apps, sent through `inject()`; each response is checked for the
 * contract (no 5xx, no stack or internal path, RFC 6749 errors on OAuth endpoints). Used by
 * test/security/http-fuzz.test.ts (short, fixed seed) and test/reliability/http-fuzz-long.test.ts.
 */
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';

export interface Route {
  app: 'public' | 'admin';
  path: string;
  methods: string[];
}

/** The routes of an app, read from Fastify's own route tree (`printRoutes`), so none is forgotten. */
export function routeTable(app: FastifyInstance, name: Route['app']): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + (match[2] as string);
    stack[depth] = path;
    stack.length = depth + 1;
    if (match[3]) routes.push({ app: name, path, methods: match[3].split(', ') });
  }
  return routes;
}

/** Error codes a client of an OAuth endpoint may receive (RFC 6749, 6750, 7009, 7591, OIDC Core). */
export const REGISTERED_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_token',
  'insufficient_scope',
  'unsupported_token_type',
  'invalid_redirect_uri',
  'invalid_client_metadata',
]);

/** Endpoints an OAuth client talks to, whose errors must be RFC 6749 section 5.2 JSON. */
export const isOAuthEndpoint = (path: string) =>
  /^\/(?:oauth2\/|oauth\/|userinfo|\.well-known\/|admin\/oauth2\/introspect)/.test(path);

const OAUTH_PARAMS = [
  'response_type',
  'client_id',
  'client_secret',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code',
  'code_verifier',
  'code_challenge',
  'code_challenge_method',
  'grant_type',
  'refresh_token',
  'token',
  'token_type_hint',
  'prompt',
  'max_age',
  'request',
  'request_uri',
  'login_challenge',
  'consent_challenge',
  'logout_challenge',
  'access_token',
  'return_to',
  'email',
  'phone',
  '_csrf',
  'page_size',
  'page_token',
  'action',
  'since',
  'until',
  '__proto__',
  'constructor',
  'a[b]',
  'x.y',
];

/** Characters that break parsers: broken percent-encoding, NUL, separators, bidi, astral, lone surrogates. */
const nasty = fc.constantFrom(
  '%',
  '%z',
  '%zz',
  '%C0%AF',
  '%E2%82',
  '%00',
  '%FF',
  '%2F',
  '%5C',
  '%0d%0a',
  '\x00',
  '&',
  '=',
  '+',
  '?',
  '#',
  ';',
  '/',
  '\\',
  '..',
  '"',
  "'",
  '<script>',
  '{',
  '[]',
  '\u202e',
  '\u200b',
  'é',
  '😀',
  '\ud800',
  ' ',
  '\t',
  'null',
  '-1',
  '1e308',
  'true',
);
const junk = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 3, arbitrary: fc.string({ unit: nasty, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => 'A'.repeat(n)) },
);
/** A header value: latin-1 without CR or LF, as an HTTP parser would let through. */
const headerJunk = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('', ' ', ',', ';', 'null', '*/*'),
  fc.integer({ min: 1, max: 12_000 }).map((n) => 'x'.repeat(n)),
);

/** Percent-encodes for a query, except when the generator wants the raw (often invalid) text. */
const encode = (value: string, raw: boolean) => {
  if (raw) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return value; // a lone surrogate: sent as it is
  }
};

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(...OAUTH_PARAMS, 'redirect_uris', 'grant_types', 'client_name', 'op', 'path', 'value'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => JSON.stringify(v)),
  fc
    .array(fc.record({ op: junk, path: junk, value: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 3 })
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{',
    '[',
    '{"a":',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    'nul',
    '"\\ud800"',
    '1e99999',
  ),
);
// Mostly the form encoding OAuth endpoints take, so that requests get past the body parser.
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/x-www-form-urlencoded') },
  fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=utf-16',
    'application/json',
    'application/json; charset=latin1',
    'application/merge-patch+json',
    'application/json-patch+json',
    'text/plain',
    'text/html',
    'multipart/form-data; boundary=xyz',
    'multipart/form-data',
    'application/octet-stream',
    'application/jwt',
    'application/xml',
    'application/x-www-form-urlencoded, application/json',
    '*/*',
    ';',
    'application/',
  ),
  headerJunk,
);
/** Real values of the instance under test, so that some requests get past the first check. */
export interface KnownValues {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

function parts(known: KnownValues | undefined) {
  const plausible = fc.constantFrom(
    ...(known ? [known.clientId, known.redirectUri] : []),
    'code',
    'token',
    'id_token',
    'authorization_code',
    'client_credentials',
    'refresh_token',
    'openid',
    'openid offline_access Email',
    'S256',
    'plain',
    'none',
    'login',
    'consent',
    'access_token',
    'v'.repeat(43),
  );
  const value = fc.oneof({ weight: 3, arbitrary: junk }, { weight: 1, arbitrary: plausible });
  const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...OAUTH_PARAMS), junk), value, fc.boolean()), { maxLength: 6 });
  const queryString = fc.oneof(
    fc.constant(''),
    pairs.map((list) => list.map(([n, v, raw]) => `${encode(n, raw)}=${encode(v, raw)}`).join('&')),
    // The same parameter twice, which RFC 6749 3.1 forbids.
    fc
      .tuple(fc.constantFrom(...OAUTH_PARAMS), value, value)
      .map(([n, a, b]) => `${n}=${encode(a, false)}&${n}=${encode(b, false)}`),
    fc.string({ unit: nasty, maxLength: 10 }),
  );
  const formBody = pairs.map((list) => list.map(([n, v, raw]) => `${encode(n, raw)}=${encode(v, raw)}`).join('&'));
  const body = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: formBody },
    { weight: 3, arbitrary: jsonBody },
    { weight: 2, arbitrary: junk },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    // Invalid UTF-8 sequences and a UTF-16 byte-order mark.
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        Buffer.from([0xc3, 0x28]),
        Buffer.from([0xff, 0xfe, 0x61, 0x00]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ),
    },
  );
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const authorization = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: headerJunk.map((s) => `Basic ${s}`) },
    { weight: 2, arbitrary: fc.tuple(junk, junk).map(([a, b]) => basic(a, b)) },
    { weight: 2, arbitrary: headerJunk.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: headerJunk },
    // The real client's credentials: the request reaches the grant handlers.
    ...(known ? [{ weight: 3, arbitrary: fc.constant(basic(known.clientId, known.clientSecret)) }] : []),
  );
  return { queryString, body, authorization };
}

export interface FuzzRequest {
  app: Route['app'];
  template: string;
  options: InjectOptions;
}

function pathFor(route: Route): fc.Arbitrary<string> {
  const param = fc.oneof(
    fc.constantFrom('x', '1', '0', '-1', 'jwks', 'hydra.openid.id-token', '..', '.', 'app.css', 'a'.repeat(600)),
    junk.map((s) => encode(s, false)),
    fc.string({ unit: nasty, maxLength: 6 }),
  );
  const filled = fc
    .tuple(
      ...route.path.split(/(:[A-Za-z]+|\*)/).map((part) => (part.startsWith(':') || part === '*' ? param : fc.constant(part))),
    )
    .map((parts) => parts.join(''));
  return fc.oneof(
    { weight: 6, arbitrary: filled },
    // Mutations of a real path: a junk or encoded segment, a doubled or trailing slash, case.
    { weight: 1, arbitrary: fc.tuple(filled, fc.string({ unit: nasty, maxLength: 5 })).map(([p, s]) => `${p}/${s}`) },
    { weight: 1, arbitrary: filled.map((p) => `${p}/`) },
    { weight: 1, arbitrary: filled.map((p) => p.replace('/', '//')) },
    { weight: 1, arbitrary: filled.map((p) => p.toUpperCase()) },
    { weight: 1, arbitrary: filled.map((p) => p.replaceAll('/', '%2F')) },
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;

export function requestArbitrary(routes: Route[], known?: KnownValues): fc.Arbitrary<FuzzRequest> {
  const { queryString, body, authorization } = parts(known);
  return fc
    .constantFrom(...routes)
    .chain((route) =>
      fc.record({
        route: fc.constant(route),
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...route.methods) },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        path: pathFor(route),
        query: queryString,
        body,
        contentType,
        authorization,
        cookie: fc.option(
          fc.oneof(
            headerJunk,
            junk.map((s) => `__Host-gh_session=${encode(s, true)}; _csrf=${encode(s, false)}`),
          ),
          { nil: undefined },
        ),
        // Repeated and oversized headers.
        extra: fc.dictionary(
          fc.constantFrom(
            'accept',
            'accept-language',
            'origin',
            'referer',
            'x-forwarded-for',
            'dpop',
            'content-encoding',
            'transfer-encoding-x',
            'x-junk',
          ),
          fc.oneof(headerJunk, fc.array(headerJunk, { minLength: 2, maxLength: 3 })),
          { maxKeys: 3 },
        ),
      }),
    )
    .map(({ route, method, path, query, body: payload, contentType: type, authorization: auth, cookie, extra }) => {
      const headers: Record<string, string | string[]> = { ...extra };
      if (type !== undefined) headers['content-type'] = type;
      if (auth !== undefined) headers.authorization = auth;
      if (cookie !== undefined) headers.cookie = cookie;
      const options: InjectOptions = {
        method: method as InjectOptions['method'],
        url: query ? `${path}?${query}` : path,
        headers,
        ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload } : {}),
      };
      return { app: route.app, template: `${method} ${route.path}`, options };
    });
}

export interface FuzzFailure {
  request: string;
  status: number;
  problem: string;
  body: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  /** Requests `inject` itself refused to build (an impossible header, say); not sent. */
  unsendable: number;
  serverErrors: number;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
}

// Signs that an internal detail leaked: a stack frame, a source path, a driver or engine error.
const LEAK =
  /\bat [\w$.<>]+ \(|\bat file:|node_modules|\/work\/|\/src\/[\w/-]+\.[jt]s|\.ts:\d+|\b(?:TypeError|ReferenceError|SyntaxError|RangeError):|FST_[A-Z_]+|ERR_[A-Z_]{4,}|PGlite|Kysely|relation "/;

/** Checks one response against the contract; returns what is wrong, or undefined. */
export function checkResponse(
  request: FuzzRequest,
  status: number,
  contentType: string | undefined,
  text: string,
): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (LEAK.test(text)) return `leaks an internal detail (${LEAK.exec(text)?.[0]})`;
  const path = String(request.options.url).split('?')[0] as string;
  const isJson = contentType?.startsWith('application/json') ?? false;
  if (status < 400 || !isJson || request.options.method === 'HEAD') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'an error labelled JSON that does not parse';
  }
  const error = (parsed as { error?: unknown })?.error;
  const description = (parsed as { error_description?: unknown })?.error_description;
  if (typeof error !== 'string' || !/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/.test(error))
    return 'a JSON error without an RFC 6749 "error" code';
  if (description !== undefined && typeof description !== 'string') return '"error_description" is not a string';
  // A path no route matches (a mutated one) is not an OAuth endpoint, whatever its prefix.
  const unrouted = status === 404 && /^No route for /.test(String(description));
  if (isOAuthEndpoint(path) && !unrouted) {
    if (!REGISTERED_ERRORS.has(error)) return `"${error}" is not a registered OAuth error code`;
    if (typeof description !== 'string') return 'an OAuth error without "error_description"';
  }
  return undefined;
}

export interface FuzzTarget {
  publicApp: FastifyInstance;
  adminApp: FastifyInstance;
}

/** A request in a form short enough to read in a failure list (long runs of one character elided). */
const clip = (value: unknown) => {
  const text =
    typeof value === 'string' ? value : Buffer.isBuffer(value) ? `<${value.length} bytes>` : JSON.stringify(value ?? '');
  const squeezed = text.replace(/(.)\1{15,}/g, (run, c: string) => `${c}…×${run.length}`);
  return squeezed.length > 160 ? `${squeezed.slice(0, 160)}…` : squeezed;
};
const describeRequest = (r: FuzzRequest) =>
  `${r.options.method} ${clip(r.options.url)} headers=${clip(r.options.headers)} body=${clip(r.options.payload)}`;

/** Sends `count` requests drawn from `seed`, in batches, and reports every contract breach. */
export async function runFuzz(
  target: FuzzTarget,
  options: { seed: number; count: number; batch?: number; known?: KnownValues; onProgress?: (sent: number) => void },
): Promise<FuzzReport> {
  const routes = [...routeTable(target.publicApp, 'public'), ...routeTable(target.adminApp, 'admin')];
  const arbitrary = requestArbitrary(routes, options.known);
  const batch = options.batch ?? 500;
  const report: FuzzReport = { seed: options.seed, sent: 0, unsendable: 0, serverErrors: 0, byStatus: {}, failures: [] };
  for (let offset = 0; offset < options.count; offset += batch) {
    // Each batch has its own derived seed, so a batch can be replayed without the ones before it.
    const requests = fc.sample(arbitrary, { seed: options.seed + offset, numRuns: Math.min(batch, options.count - offset) });
    for (const request of requests) {
      const app = request.app === 'public' ? target.publicApp : target.adminApp;
      let response: Awaited<ReturnType<FastifyInstance['inject']>>;
      try {
        response = await app.inject(request.options);
      } catch {
        report.unsendable += 1;
        continue;
      }
      report.sent += 1;
      const bucket = `${Math.floor(response.statusCode / 100)}xx`;
      report.byStatus[bucket] = (report.byStatus[bucket] ?? 0) + 1;
      if (response.statusCode >= 500) report.serverErrors += 1;
      const contentType = response.headers['content-type'];
      const problem = checkResponse(
        request,
        response.statusCode,
        typeof contentType === 'string' ? contentType : undefined,
        response.body,
      );
      if (problem && report.failures.length < 50) {
        report.failures.push({
          request: describeRequest(request),
          status: response.statusCode,
          problem,
          body: clip(response.body),
        });
      }
    }
    options.onProgress?.(report.sent);
  }
  return report;
}
