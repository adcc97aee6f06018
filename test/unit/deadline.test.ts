import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * A stand-in for DynamoDB that answers each operation after a delay the test
 * sets (or refuses it), and records what it was sent: the handler's deadline
 * is tested against a slow table without DynamoDB Local.
 */
interface SlowTable {
  /** Delay per operation (GetItem, TransactWriteItems ...), ms; 0 if absent. */
  delays: Record<string, number>;
  /** Operations answered 400 ConditionalCheckFailed. */
  refused: Set<string>;
  /** Operations received, in order. */
  received: string[];
}

const table: SlowTable = { delays: {}, refused: new Set(), received: [] };
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    req.resume();
    req.on('end', () => {
      table.received.push(operation);
      setTimeout(() => {
        if (table.refused.has(operation)) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      }, table.delays[operation] ?? 0);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  // Shared modules read their configuration at first use: the environment first, then the imports.
  process.env.TABLE_NAME = 'deadline-test';
  process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // Loaded (and the client created) before any test times an answer.
  await import('../../shared/http/handler.js');
  await import('../../shared/table/client.js').then(({ db }) => db());
});

afterAll(async () => {
  await new Promise<void>((closed) => server.close(() => closed()));
});

beforeEach(() => {
  table.delays = {};
  table.refused = new Set();
  table.received = [];
});

type Work = () => Promise<unknown>;

/** An HTTP handler of the orders function whose every operation runs `work`, invoked with `workingMs` before its deadline. */
async function invoke(work: Work, workingMs: number) {
  const { httpHandler, DEADLINE_MARGIN_MS } = await import('../../shared/http/handler.js');
  const { mallOperations } = await import('../../shared/contracts/mall.js');
  const { orderAdminOperations } = await import('../../shared/contracts/orders-admin.js');
  // Every operation the function has (the route table may grow) runs the same work.
  const implementations = new Proxy({}, { has: () => true, get: () => work });
  const handler = httpHandler('orders', { ...mallOperations, ...orderAdminOperations }, implementations as never);
  const timeoutAt = Date.now() + DEADLINE_MARGIN_MS + workingMs;
  const context = { awsRequestId: 'r-1', functionName: 'points-mall-orders', getRemainingTimeInMillis: () => timeoutAt - Date.now() } as Context;
  const event = {
    version: '2.0',
    routeKey: 'GET /v1/me/orders',
    rawPath: '/v1/me/orders',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r-1',
      http: { method: 'GET', path: '/v1/me/orders' },
      authorizer: { jwt: { claims: { sub: 'm-deadline' }, scopes: [] } },
    },
  };
  const started = Date.now();
  const result = (await handler(event as never, context)) as { statusCode: number; headers: Record<string, string>; body: string };
  return { ...result, problem: JSON.parse(result.body) as { code?: string; status?: number }, ms: Date.now() - started };
}

async function send(command: unknown): Promise<unknown> {
  const { db } = await import('../../shared/table/client.js');
  return db().send(command as never);
}

const getItem = async () => {
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  return send(new GetCommand({ TableName: 'deadline-test', Key: { PK: 'MEMBER#m-deadline', SK: 'WALLET#points' } }));
};

const putItem = async () => {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  return send(new PutCommand({ TableName: 'deadline-test', Item: { PK: 'ORDER#o-1', SK: 'ORDER' } }));
};

describe('the deadline of an HTTP invocation', () => {
  it('answers 503 UNAVAILABLE at the deadline when no write was sent, and sends nothing after it', async () => {
    // Prepare: a read slower than the deadline, then a write the work would send after it
    table.delays.GetItem = 2_000;

    // Act
    const answer = await invoke(async () => {
      await getItem();
      await putItem();
      return { items: [], nextCursor: null };
    }, 300);
    await new Promise((r) => setTimeout(r, 2_100));

    // Assess: at once at the deadline, problem+json with Retry-After, and the write was never sent
    expect(answer.statusCode).toBe(503);
    expect(answer.problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.ms).toBeGreaterThanOrEqual(290);
    expect(answer.ms).toBeLessThan(1_500);
    expect(table.received).toEqual(['GetItem']);
  });

  it('answers 503 OUTCOME_UNKNOWN at the deadline when a write was sent and not answered', async () => {
    // Prepare: a write slower than the deadline
    table.delays.PutItem = 2_000;

    // Act
    const answer = await invoke(async () => {
      await putItem();
      return { items: [], nextCursor: null };
    }, 300);

    // Assess
    expect(answer.statusCode).toBe(503);
    expect(answer.problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(answer.problem).toHaveProperty('detail', expect.stringMatching(/same Idempotency-Key/));
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.ms).toBeLessThan(1_500);
  });

  it('answers OUTCOME_UNKNOWN when a write went through before the deadline', async () => {
    // Prepare: a quick write, then a slow read
    table.delays.GetItem = 2_000;

    // Act
    const answer = await invoke(async () => {
      await putItem();
      await getItem();
      return { items: [], nextCursor: null };
    }, 300);

    // Assess
    expect(answer.problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
  });

  it('answers UNAVAILABLE when the only write sent was refused by the table', async () => {
    // Prepare: a write refused by its condition (nothing written), then a slow read
    table.refused.add('PutItem');
    table.delays.GetItem = 2_000;

    // Act
    const answer = await invoke(async () => {
      await putItem().catch(() => undefined);
      await getItem();
      return { items: [], nextCursor: null };
    }, 300);

    // Assess
    expect(answer.problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('answers UNAVAILABLE when a retry loop checks the deadline after it passed', async () => {
    // Prepare
    const { throwIfPastDeadline } = await import('../../shared/runtime/deadline.js');

    // Act: a loop that never calls the table, only the deadline check
    const answer = await invoke(async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        throwIfPastDeadline();
      }
    }, 200);

    // Assess
    expect(answer.problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(answer.ms).toBeLessThan(1_500);
  });

  it('answers the work\'s own answer when it finishes in time', async () => {
    // Act
    const answer = await invoke(async () => {
      await getItem();
      return { items: [], nextCursor: null };
    }, 2_000);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ items: [] });
  });
});
