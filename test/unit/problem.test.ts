import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.js';
import { problemFromError } from '../../shared/http/problem.js';

const metadata = { $metadata: { httpStatusCode: 500 } };

describe('problemFromError: how a thrown value becomes a problem document', () => {
  it('keeps a domain error\'s code, message and extensions', () => {
    const { problem, unexpected } = problemFromError(new DomainError('BID_TOO_LOW', 'bid at least 1,100', { minimumAmount: 1100 }));
    expect(problem).toMatchObject({ status: 409, code: 'BID_TOO_LOW', detail: 'bid at least 1,100', minimumAmount: 1100 });
    expect(unexpected).toBe(false);
  });

  it('answers DynamoDB throttling 429 THROTTLED', () => {
    const { problem } = problemFromError(new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata }));
    expect(problem).toMatchObject({ status: 429, code: 'THROTTLED' });
  });

  it('answers a server-side DynamoDB fault 503 UNAVAILABLE (retryable), logged as unexpected', () => {
    const { problem, unexpected } = problemFromError(new InternalServerError({ message: 'internal failure', ...metadata }));
    expect(problem).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(problem.detail).toMatch(/retry/);
    expect(unexpected).toBe(true);
  });

  it('answers anything else 500 INTERNAL without details', () => {
    const { problem, unexpected } = problemFromError(new TypeError('cannot read properties of undefined'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'an unexpected error occurred; it has been logged' });
    expect(unexpected).toBe(true);
  });
});
