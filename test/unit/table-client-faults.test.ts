import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../shared/config/env.js';
import { problemFromError } from '../../shared/http/problem.js';
import { dbCallFailureOf } from '../../shared/table/call-failure.js';
import { db, resetDbClientForTests } from '../../shared/table/client.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// The table client against a peer that fails the way a network does: no DynamoDB needed, the calls never succeed.
const REQUEST_TIMEOUT_MS = 300;
const ATTEMPTS = 3;
let proxy: TcpProxy;

beforeAll(async () => {
  // Forwarding is never used here: every test cuts the proxy first.
  proxy = await TcpProxy.start('http://127.0.0.1:9');
  Object.assign(process.env, {
    TABLE_NAME: 'fault-peer',
    DYNAMODB_ENDPOINT: proxy.endpoint,
    AWS_REGION: 'us-east-1',
    SDK_CONNECT_TIMEOUT_MS: '300',
    SDK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    SDK_MAX_ATTEMPTS: String(ATTEMPTS),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  resetConfigForTests();
  resetDbClientForTests();
});

afterAll(async () => {
  resetDbClientForTests();
  await proxy.close();
});

async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded against a cut-off peer');
}

const put = () => db().send(new PutCommand({ TableName: 'fault-peer', Item: { PK: 'a', SK: 'b' } }));
const get = () => db().send(new GetCommand({ TableName: 'fault-peer', Key: { PK: 'a', SK: 'b' } }));
const transact = () =>
  db().send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'fault-peer', Item: { PK: 'a', SK: 'b' } } }] }));
const update = () =>
  db().send(new UpdateCommand({ TableName: 'fault-peer', Key: { PK: 'a', SK: 'b' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));

describe('table client: failures tagged with the operation and whether they may have been applied', () => {
  it('tags a refused write as never applied: 503 UNAVAILABLE', async () => {
    // Prepare
    await proxy.cut('refuse');

    // Act
    const error = await failureOf(put());

    // Assess
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(dbCallFailureOf(error)).toEqual({ operation: 'PutItem', write: true, mayHaveApplied: false });
    expect(problemFromError(error).problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    await proxy.restore();
  });

  it('tags a write hung up after it was sent as maybe applied: 503 OUTCOME_UNKNOWN; a read the same way: UNAVAILABLE', async () => {
    // Prepare
    await proxy.cut('reset');

    // Act
    const write = await failureOf(transact());
    const read = await failureOf(get());

    // Assess
    expect(dbCallFailureOf(write)).toEqual({ operation: 'TransactWriteItems', write: true, mayHaveApplied: true });
    expect(problemFromError(write).problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(dbCallFailureOf(read)).toMatchObject({ operation: 'GetItem', write: false });
    expect(problemFromError(read).problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    await proxy.restore();
  });

  it('times a silent peer out within attempts x request timeout: OUTCOME_UNKNOWN for a write', async () => {
    // Prepare
    await proxy.cut('blackhole');
    const started = Date.now();

    // Act
    const error = await failureOf(update());
    const elapsed = Date.now() - started;

    // Assess: the SDK's backoff between attempts adds at most 0.2 + 0.4 s
    expect((error as Error).name).toBe('TimeoutError');
    expect(dbCallFailureOf(error)).toEqual({ operation: 'UpdateItem', write: true, mayHaveApplied: true });
    expect(problemFromError(error).problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(elapsed).toBeLessThan(ATTEMPTS * REQUEST_TIMEOUT_MS + 600 + 500);
    await proxy.restore();
  });

  it('remembers an earlier attempt cut after sending when the last attempt is refused: OUTCOME_UNKNOWN', async () => {
    // Prepare: the first attempt is hung up on, then the peer goes away for good
    await proxy.cut('reset');
    const acceptedBefore = proxy.stats.cutAccepted;
    const switchToRefuse = setInterval(() => {
      if (proxy.stats.cutAccepted > acceptedBefore) {
        clearInterval(switchToRefuse);
        void proxy.cut('refuse');
      }
    }, 1);

    // Act
    const error = await failureOf(put());
    clearInterval(switchToRefuse);

    // Assess
    expect(proxy.stats.cutAccepted).toBe(acceptedBefore + 1);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(dbCallFailureOf(error)).toEqual({ operation: 'PutItem', write: true, mayHaveApplied: true });
    expect(problemFromError(error).problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    await proxy.restore();
  });
});
