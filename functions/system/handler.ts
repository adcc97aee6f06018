import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { httpHandler } from '../../shared/http/handler.js';
import { DomainError } from '../../shared/errors.js';
import { db, tableName } from '../../shared/table/client.js';
import { openApiDocument } from '../../shared/http/openapi.js';
import { routes } from '../../lib/routes.js';
import { matchRoute } from '../../shared/http/match.js';

let document: Record<string, unknown> | undefined;

export const handler = httpHandler('system', {
  health: async () => {
    await db().send(new DescribeTableCommand({ TableName: tableName() }));
    return { status: 'ok' as const, time: new Date().toISOString() };
  },
  openapi: async () => {
    document ??= openApiDocument();
    return document;
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
