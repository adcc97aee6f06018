import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { allRoutes, defaultRoute, functions, routeKey, routes, type FunctionName, type RouteSpec } from '../../lib/routes.js';
import type { HttpEvent } from '../../shared/http/handler.js';
import { emptyRecord } from '../../shared/domain/own-keys.js';
import { matchRoute } from '../../shared/http/match.js';
import { problemOf, problemResponse } from '../../shared/http/problem.js';
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
 * Locally every invocation shares one process and two cores: a test that fires
 * a thousand requests at once can set LOCAL_TIMEOUT_SCALE so the functions'
 * Lambda timeouts (which assume one request per instance) do not cut them off.
 */
function timeoutScale(): number {
  const scale = Number(process.env.LOCAL_TIMEOUT_SCALE ?? 1);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

export function lambdaContext(fn: FunctionName): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `points-mall-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:points-mall-${fn}`,
    memoryLimitInMB: String(functions[fn].memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/points-mall-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => functions[fn].timeoutSeconds * 1000 * timeoutScale(),
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
 * The local stand-in for API Gateway (HTTP API): it matches the request
 * against the shared route table, verifies the bearer JWT like the JWT
 * authorizer (signature, issuer, audience, expiry, and the `pos` scope on POS
 * routes), builds a payload-2.0 event and invokes the same handler Lambda
 * would. Unknown paths and methods go to the `$default` route.
 */
export class LocalGateway {
  constructor(private readonly keys: DevKeys) {}

  async handle(request: LocalRequest): Promise<LocalResponse> {
    const started = Date.now();
    // Origin first, then the path as sent: `new URL('//x', base)` reads `//x` as a host (and `//` alone throws), so a
    // path starting with two slashes was a 500 instead of the catch-all's 404.
    const url = new URL(request.url.startsWith('/') ? `http://localhost${request.url}` : request.url, 'http://localhost');
    const headers = lowerCaseHeaders(request.headers);
    const method = request.method.toUpperCase();
    const match = matchRoute(routes, method, url.pathname);
    const route: RouteSpec = match.kind === 'found' ? match.route : defaultRoute;
    const pathParameters = match.kind === 'found' ? match.params : undefined;

    let authorizer: HttpEvent['requestContext']['authorizer'] | undefined;
    if (route.auth !== 'public') {
      const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      if (!token) return unauthorized('send a bearer token: Authorization: Bearer <JWT> (npm run token -- member m1)', url.pathname);
      let claims: Record<string, unknown>;
      try {
        claims = await verifyDevToken(this.keys, token);
      } catch (error) {
        return unauthorized(`the bearer token was refused: ${(error as Error).message}`, url.pathname);
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
    const result = normalise((await handler(event, lambdaContext(route.fn))) as APIGatewayProxyResultV2);
    return { ...result, headers: { ...result.headers, 'x-local-latency-ms': String(Date.now() - started) } };
  }
}

/** Every route the gateway knows, for the start-up banner. */
export function describeRoutes(): string[] {
  return allRoutes.filter((r) => r !== defaultRoute).map((r) => `${r.method.padEnd(6)} ${r.path}  [${r.auth}]`);
}
