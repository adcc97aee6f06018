import { InternalServerError, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../shared/config/env.js';
import { problemFromError } from '../../shared/http/problem.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { tagDbCallFailure } from '../../shared/table/call-failure.js';

// Faults DynamoDB Local cannot produce on demand: throttling left after the SDK's retries, and its own lock timeout.
const table = mockClient(DynamoDBDocumentClient);
const move: LedgerMove = { memberId: 'm-fault', type: 'EARN', points: 10, bucket: '2027-11', reason: 'fault test' };
const lockTimeout = () =>
  new InternalServerError({
    message: 'This action timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB API',
    $metadata: { httpStatusCode: 500 },
  });

beforeAll(() => {
  Object.assign(process.env, { TABLE_NAME: 'ledger-faults', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  resetConfigForTests();
});

beforeEach(() => table.reset());
afterAll(() => table.restore());

async function problemOfCommit() {
  try {
    await commit({ moves: [move] });
  } catch (error) {
    return problemFromError(error).problem;
  }
  throw new Error('the commit succeeded');
}

describe('ledger commit under DynamoDB faults', () => {
  it('answers throttling left after the SDK\'s retries 503 UNAVAILABLE', async () => {
    // Prepare
    table.on(TransactWriteCommand).rejects(new ThrottlingException({ message: 'rate exceeded', $metadata: { httpStatusCode: 400 } }));

    // Act / Assess
    expect(await problemOfCommit()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('answers a transaction cancelled for throttling 503 UNAVAILABLE', async () => {
    // Prepare
    table.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
      }),
    );

    // Act / Assess
    expect(await problemOfCommit()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('retries DynamoDB Local\'s lock timeout like a conflict and commits', async () => {
    // Prepare
    table.on(TransactWriteCommand).rejectsOnce(lockTimeout()).rejectsOnce(lockTimeout()).resolves({});

    // Act
    const outcome = await commit({ moves: [move] });

    // Assess
    expect(outcome.replayed).toBe(false);
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('answers OUTCOME_UNKNOWN, not a retry with new ids, when a keyless commit meets its own earlier attempt', async () => {
    // Prepare: attempt 1 was cut after sending and applied; the SDK's attempt 2 finds the wallet already past its entry id
    const cancelled = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: { PK: { S: 'MEMBER#m-fault' }, available: { N: '10' }, lastEntryId: { S: '7ZZZZZZZZZZZZZZZZZZZZZZZZZ' } } },
        { Code: 'None' },
        { Code: 'None' },
      ],
    });
    tagDbCallFailure(cancelled, { operation: 'TransactWriteItems', write: true, mayHaveApplied: true });
    table.on(TransactWriteCommand).rejects(cancelled);

    // Act
    const problem = await problemOfCommit();

    // Assess: one call, no second credit
    expect(problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('does not retry a lock timeout when an earlier attempt of the call may have been applied: OUTCOME_UNKNOWN', async () => {
    // Prepare: as the table client tags it when attempt 1 was cut after sending and attempt 2 met the lock timeout
    const error = lockTimeout();
    tagDbCallFailure(error, { operation: 'TransactWriteItems', write: true, mayHaveApplied: true });
    table.on(TransactWriteCommand).rejects(error);

    // Act
    const problem = await problemOfCommit();

    // Assess
    expect(problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
