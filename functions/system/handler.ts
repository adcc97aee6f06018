import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { httpHandler } from '../../shared/http/handler.js';
import { DomainError } from '../../shared/errors.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { loadOpenApiDocument } from '../../shared/http/openapi-file.js';
import { apiDocsHeaders, apiDocsPage, docsAssetsBase } from '../../shared/http/api-docs.js';
import { routes } from '../../lib/routes.js';
import { matchRoute } from '../../shared/http/match.js';
import { systemOperations } from '../../shared/contracts/system.js';

let document: Promise<Record<string, unknown>> | undefined;
/** The API reference page and its headers, built on first use from DOCS_ASSETS_BASE. */
let docsPage: { html: string; headers: Record<string, string> } | undefined;

/** Longest wait for the table in a readiness check (the SDK's retries included). */
export const READINESS_TIMEOUT_MS = 1500;

export const handler = httpHandler('system', systemOperations, {
  // Liveness only: a load balancer or monitor restarting "unhealthy" functions must not do so because the table is down.
  health: async () => ({ status: 'ok' as const, time: new Date().toISOString() }),
  healthReady: async () => {
    const started = Date.now();
    // The SDK retries a refused connection; the signal bounds the whole call well inside the function's 5 s.
    // A failure becomes 503 UNAVAILABLE with Retry-After (shared/http/problem.ts).
    await db().send(new GetCommand({ TableName: tableName(), Key: keys.readinessProbe() }), {
      abortSignal: AbortSignal.timeout(READINESS_TIMEOUT_MS),
    });
    return { status: 'ready' as const, time: new Date().toISOString(), tableLatencyMs: Date.now() - started };
  },
  openapi: async () => {
    // Built with the function (shared/http/openapi-file.ts): read once, on the first request that asks for it.
    document ??= loadOpenApiDocument(import.meta.url).catch((error: unknown) => {
      document = undefined;
      throw error;
    });
    return document;
  },
  apiDocs: async () => {
    if (!docsPage) {
      const assetsBase = docsAssetsBase();
      docsPage = { html: apiDocsPage(assetsBase), headers: apiDocsHeaders(assetsBase) };
    }
    return { status: 200, body: docsPage.html, headers: docsPage.headers };
  },
  fallback: async ({ event }) => {
    const method = event.requestContext.http.method;
    const path = event.requestContext.http.path ?? event.rawPath;
    const match = matchRoute(routes, method, path);
    if (match.kind === 'method-not-allowed') {
      throw new DomainError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${match.allowed.join(', ')}`, {
        allowed: match.allowed,
      });
    }
    throw new DomainError('NOT_FOUND', `no route ${method} ${path}; see GET /v1/openapi.json for the API`);
  },
});
