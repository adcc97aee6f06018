import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionInProgressException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.js';
import { problemFromError, problemOf, problemResponse } from '../../shared/http/problem.js';
import { tagDbCallFailure } from '../../shared/table/call-failure.js';

const metadata = { $metadata: { httpStatusCode: 500 } };

/** A failure as the table client's middleware leaves it: tagged with the operation and whether it may have been applied. */
function tagged<E extends Error>(error: E, operation: string, mayHaveApplied: boolean): E {
  const write = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].includes(operation);
  tagDbCallFailure(error, { operation, write, mayHaveApplied });
  return error;
}

/** A Node socket error as @smithy/node-http-handler rejects with it (it renames ECONNRESET, EPIPE, ETIMEDOUT to TimeoutError). */
function socketError(message: string, code: string, name = 'Error'): Error {
  return Object.assign(new Error(message), { code, name, $metadata: { attempts: 3, totalRetryDelay: 250 } });
}

describe('problemFromError: how a thrown value becomes a problem document', () => {
  it('keeps a domain error\'s code, message and extensions', () => {
    const { problem, unexpected } = problemFromError(new DomainError('BID_TOO_LOW', 'bid at least 1,100', { minimumAmount: 1100 }));
    expect(problem).toMatchObject({ status: 409, code: 'BID_TOO_LOW', detail: 'bid at least 1,100', minimumAmount: 1100 });
    expect(unexpected).toBe(false);
  });

  it.each([
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } })],
    ['ThrottlingException', new ThrottlingException({ message: 'rate exceeded', $metadata: { httpStatusCode: 400 } })],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'account limit', $metadata: { httpStatusCode: 400 } })],
  ])('answers DynamoDB throttling left after the SDK\'s retries (%s) 503 UNAVAILABLE, a warning', (_name, error) => {
    // Act
    const { problem, unexpected, dependency } = problemFromError(tagged(error, 'TransactWriteItems', false));

    // Assess: the request was refused, so nothing is unknown about it
    expect(problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(unexpected).toBe(false);
    expect(dependency).toMatchObject({ operation: 'TransactWriteItems', errorName: error.name, mayHaveApplied: false });
  });

  it('answers a refused connection 503 UNAVAILABLE, even for a write (it was never sent)', () => {
    const error = tagged(socketError('connect ECONNREFUSED 127.0.0.1:8000', 'ECONNREFUSED'), 'TransactWriteItems', false);
    const { problem, dependency } = problemFromError(error);
    expect(problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(dependency).toMatchObject({ errorCode: 'ECONNREFUSED', mayHaveApplied: false });
  });

  it('answers a connect timeout 503 UNAVAILABLE, even for a write', () => {
    const timeout = Object.assign(
      new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.'),
      { name: 'TimeoutError' },
    );
    expect(problemFromError(tagged(timeout, 'PutItem', false)).problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it.each([
    ['socket hang up', socketError('socket hang up', 'ECONNRESET', 'TimeoutError')],
    ['read ECONNRESET', socketError('read ECONNRESET', 'ECONNRESET', 'TimeoutError')],
    ['write EPIPE', socketError('write EPIPE', 'EPIPE', 'TimeoutError')],
    ['a request timeout', socketError('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.', 'ETIMEDOUT', 'TimeoutError')],
    ['an abort', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
  ])('answers a write cut after it was sent (%s) 503 OUTCOME_UNKNOWN: retry with the same key', (_what, error) => {
    // Act
    const { problem, unexpected } = problemFromError(tagged(error, 'TransactWriteItems', true));

    // Assess
    expect(problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN', title: 'Outcome unknown' });
    expect(problem.detail).toMatch(/may or may not have been applied.*same Idempotency-Key/);
    expect(unexpected).toBe(false);
  });

  it('answers a read cut the same way 503 UNAVAILABLE (a read changes nothing)', () => {
    const { problem } = problemFromError(tagged(socketError('socket hang up', 'ECONNRESET', 'TimeoutError'), 'GetItem', true));
    expect(problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('answers a write whose earlier attempt was cut 503 OUTCOME_UNKNOWN although its last attempt was refused', () => {
    // Prepare: the middleware saw ECONNRESET on attempt 1 and ECONNREFUSED on attempts 2 and 3
    const error = tagged(socketError('connect ECONNREFUSED 127.0.0.1:8000', 'ECONNREFUSED'), 'UpdateItem', true);

    // Act / Assess
    expect(problemFromError(error).problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
  });

  it('answers a server-side DynamoDB fault 503: UNAVAILABLE on a read, OUTCOME_UNKNOWN on a write, a warning', () => {
    const read = problemFromError(tagged(new InternalServerError({ message: 'internal failure', ...metadata }), 'Query', true));
    const write = problemFromError(tagged(new InternalServerError({ message: 'internal failure', ...metadata }), 'PutItem', true));
    expect(read.problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(write.problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect([read.unexpected, write.unexpected]).toEqual([false, false]);
  });

  it('answers an untagged server fault (another AWS service) 503 UNAVAILABLE', () => {
    const { problem } = problemFromError(new InternalServerError({ message: 'internal failure', ...metadata }));
    expect(problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('answers DynamoDB Local\'s lock timeout 503 UNAVAILABLE (it never got the lock)', () => {
    const lockTimeout = new InternalServerError({
      message: 'This action timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB API',
      ...metadata,
    });
    expect(problemFromError(tagged(lockTimeout, 'TransactWriteItems', false)).problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it('answers a transaction still in progress 503 OUTCOME_UNKNOWN', () => {
    const inProgress = new TransactionInProgressException({ message: 'in progress', $metadata: { httpStatusCode: 400 } });
    expect(problemFromError(tagged(inProgress, 'TransactWriteItems', true)).problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
  });

  it('answers anything else 500 INTERNAL without details', () => {
    const { problem, unexpected } = problemFromError(new TypeError('cannot read properties of undefined'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'an unexpected error occurred; it has been logged' });
    expect(unexpected).toBe(true);
  });
});

describe('problemResponse: the headers of a problem', () => {
  it('adds Retry-After to every 503 and 429', () => {
    expect(problemResponse(problemOf('UNAVAILABLE', 'down')).headers).toMatchObject({ 'retry-after': '2' });
    expect(problemResponse(problemOf('OUTCOME_UNKNOWN', 'maybe')).headers).toMatchObject({ 'retry-after': '2' });
    expect(problemResponse(problemOf('THROTTLED', 'slow down')).headers).toMatchObject({ 'retry-after': '1' });
  });

  it('keeps a Retry-After the caller chose and adds none to other statuses', () => {
    expect(problemResponse(problemOf('THROTTLED', 'slow down'), { 'Retry-After': '7' }).headers).toEqual({
      'content-type': 'application/problem+json',
      'Retry-After': '7',
    });
    expect(problemResponse(problemOf('CONFLICT', 'again')).headers).toEqual({ 'content-type': 'application/problem+json' });
  });
});
