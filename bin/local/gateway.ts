import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { allRoutes, defaultRoute, functions, routeKey, routes, type FunctionName, type RouteSpec } from '../../lib/routes.js';
import type { HttpEvent } from '../../shared/http/handler.js';
import { emptyRecord } from '../../shared/domain/own-keys.js';
import { matchRoute } from '../../shared/http/match.js';
import { problemOf, problemResponse } from '../../shared/http/problem.js';
import { LocalConcurrency, localConcurrencyFromEnv, type Admission, type LocalConcurrencySettings } from './concurrency.js';
import { POS_SCOPE_LOCAL, verifyDevToken, type DevKeys } from './dev-keys.js';

export interface LocalRequest {
  readonly method: string;
  /** Path with optional query string, e.g. `/v1/me/ledger?limit=5`. */
  readonly url: string;
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string | undefined;
}

export interface LocalResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const handlerCache = new Map<FunctionName, Promise<LambdaHandler>>();

/** Imports a function's handler module the way Lambda would load it (once per process). */
export function loadHandler(fn: FunctionName): Promise<LambdaHandler> {
  let loaded = handlerCache.get(fn);
  if (!loaded) {
    const url = new URL(`../../${functions[fn].entry.replace(/\.ts$/, '.js')}`, import.meta.url);
    loaded = import(url.href).then((module: { handler: LambdaHandler }) => module.handler);
    handlerCache.set(fn, loaded);
  }
  return loaded;
}

/**
 * The context Lambda passes an invocation, with the function's real timeout
 * counting down from now: the HTTP handler's deadline is derived from it.
 */
export function lambdaContext(fn: FunctionName): Context {
  const requestId = randomUUID();
  const timeoutAt = Date.now() + functions[fn].timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `points-mall-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:points-mall-${fn}`,
    memoryLimitInMB: String(functions[fn].memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/points-mall-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function lowerCaseHeaders(headers: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function normalise(result: APIGatewayProxyResultV2): LocalResponse {
  if (typeof result === 'string') return { status: 200, headers: { 'content-type': 'application/json' }, body: result };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const body = result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64').toString('utf8') : (result.body ?? '');
  return { status: result.statusCode ?? 200, headers, body };
}

function unauthorized(detail: string, instance: string): LocalResponse {
  return normalise(problemResponse(problemOf('UNAUTHORIZED', detail, { instance })));
}

/**
 * Tokens verified lately, with their claims: the JWT authorizer's work, which on AWS API Gateway does outside the
 * function, costs this process an RSA verification per request (about a twentieth of its CPU under a flash sale's
 * load, docs/flash-sale.md). A token string verified once verifies the same until it expires (the key pair is this
 * process's), so a hit only checks the expiry again. Bounded: the oldest entries go first.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { claims: Record<string, unknown>; expiresAtMs: number }>();

  constructor(private readonly capacity = 10_000) {}

  lookup(token: string, nowMs = Date.now()): Record<string, unknown> | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.claims;
  }

  remember(token: string, claims: Record<string, unknown>): void {
    // Only a token with an expiry is kept (the dev tokens all have one): a hit must be able to lapse.
    if (typeof claims.exp !== 'number') return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, expiresAtMs: claims.exp * 1000 });
  }
}

/** Retry-After of the gateway's own 429 and 503 answers (seconds). */
const RETRY_AFTER_SECONDS = 1;

/** The answer to an invocation Lambda would not run: throttled beyond the function's concurrency, or shed by the local queue. */
function notAdmitted(fn: FunctionName, admission: Exclude<Admission, { kind: 'admitted' }>, instance: string): LocalResponse {
  const problem =
    admission.kind === 'throttled'
      ? problemOf('THROTTLED', `the ${fn} function is at its concurrency limit (${admission.limit}); nothing was done: retry after Retry-After seconds`, { instance })
      : problemOf('UNAVAILABLE', `the service is overloaded (${admission.reason} for the ${fn} function); nothing was done: retry after Retry-After seconds`, { instance });
  return normalise(problemResponse(problem, { 'retry-after': String(RETRY_AFTER_SECONDS) }));
}

export interface LocalGatewayOptions {
  /** Lambda's concurrency and the local slots per function (bin/local/concurrency.ts). @default from the environment */
  readonly concurrency?: LocalConcurrencySettings;
}

/**
 * The local stand-in for API Gateway (HTTP API): it matches the request
 * against the shared route table, verifies the bearer JWT like the JWT
 * authorizer (signature, issuer, audience, expiry, and the `pos` scope on POS
 * routes), builds a payload-2.0 event and invokes the same handler Lambda
 * would. Unknown paths and methods go to the `$default` route. Each
 * function's concurrency is emulated as Lambda's (bin/local/concurrency.ts):
 * beyond it 429 THROTTLED, beyond what this process runs in time 503
 * UNAVAILABLE, both at once and with Retry-After.
 */
export class LocalGateway {
  readonly concurrency: LocalConcurrency;
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly keys: DevKeys,
    options: LocalGatewayOptions = {},
  ) {
    this.concurrency = new LocalConcurrency(options.concurrency ?? localConcurrencyFromEnv());
  }

  async handle(request: LocalRequest): Promise<LocalResponse> {
    const started = Date.now();
    // Origin first, then the path as sent: `new URL('//x', base)` reads `//x` as a host (and `//` alone throws), so a
    // path starting with two slashes was a 500 instead of the catch-all's 404.
    const url = new URL(request.url.startsWith('/') ? `http://localhost${request.url}` : request.url, 'http://localhost');
    const method = request.method.toUpperCase();
    const match = matchRoute(routes, method, url.pathname);
    const route: RouteSpec = match.kind === 'found' ? match.route : defaultRoute;
    const pathParameters = match.kind === 'found' ? match.params : undefined;
    const stamped = (response: LocalResponse, extra: Record<string, string> = {}): LocalResponse => ({
      ...response,
      headers: { ...response.headers, 'x-local-latency-ms': String(Date.now() - started), ...extra },
    });

    // As Lambda would: an instance per invocation up to the function's concurrency, then throttling; and the
    // local slots and queue. Before the token check (API Gateway checks it first): under overload a refusal
    // must cost as little as possible, and a request refused here did nothing whatever its token.
    const admission = await this.concurrency.admit(route.fn);
    if (admission.kind !== 'admitted') return stamped(notAdmitted(route.fn, admission, url.pathname));
    try {
      return stamped(await this.invoke(route, pathParameters, url, method, request), { 'x-local-queue-ms': String(admission.waitedMs) });
    } finally {
      admission.release();
    }
  }

  /** The JWT authorizer, then the payload-2.0 event and the function's handler. */
  private async invoke(
    route: RouteSpec,
    pathParameters: Record<string, string> | undefined,
    url: URL,
    method: string,
    request: LocalRequest,
  ): Promise<LocalResponse> {
    const headers = lowerCaseHeaders(request.headers);
    let authorizer: HttpEvent['requestContext']['authorizer'] | undefined;
    if (route.auth !== 'public') {
      const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      if (!token) return unauthorized('send a bearer token: Authorization: Bearer <JWT> (npm run token -- member m1)', url.pathname);
      let claims = this.verified.lookup(token);
      if (!claims) {
        try {
          claims = await verifyDevToken(this.keys, token);
        } catch (error) {
          return unauthorized(`the bearer token was refused: ${(error as Error).message}`, url.pathname);
        }
        this.verified.remember(token, claims);
      }
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
      if (route.auth === 'pos' && !scopes.includes(POS_SCOPE_LOCAL)) {
        return normalise(problemResponse(problemOf('FORBIDDEN', `this route needs a POS token with scope ${POS_SCOPE_LOCAL}`, { instance: url.pathname })));
      }
      authorizer = {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: claims as Record<string, string>, scopes },
      };
    }

    // Null prototype and own-key checks: `?constructor=x` is a parameter like any other (a plain {} answered
    // `'constructor' in query` with Object's constructor), and `?__proto__=x` becomes an own property, as in the
    // JSON event API Gateway sends.
    const query = emptyRecord<string>();
    url.searchParams.forEach((value, key) => {
      query[key] = Object.hasOwn(query, key) ? `${query[key]},${value}` : value;
    });
    const now = new Date();
    const event: HttpEvent = {
      version: '2.0',
      routeKey: routeKey(route),
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
      body: request.body === '' ? undefined : request.body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: routeKey(route),
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        authorizer: authorizer as HttpEvent['requestContext']['authorizer'],
      },
    };
    const handler = await loadHandler(route.fn);
    return normalise((await handler(event, lambdaContext(route.fn))) as APIGatewayProxyResultV2);
  }
}

/** Every route the gateway knows, for the start-up banner. */
export function describeRoutes(): string[] {
  return allRoutes.filter((r) => r !== defaultRoute).map((r) => `${r.method.padEnd(6)} ${r.path}  [${r.auth}]`);
}
